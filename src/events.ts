// Security events as one structured JSON log line each, for Workers Logs and `wrangler tail`:
// {"event": "login.failed", ...}. Lines carry ids (user, session), the client's network prefix
// and reasons — never a token, hash, password or email address. Events a stranger can cause at
// will (junk tokens) are bounded per isolate: one line per reason per minute, with a count.

import { networkPrefixOf } from "./net/network";

type SessionEndedBy =
  | "user"
  | "log_out_everywhere"
  | "password_change"
  | "revoke"
  | "reuse_detection"
  | "session_limit"
  | "password_reset";

/** Why an access token under one of our kids was refused (expired and malformed tokens are routine). */
type InvalidTokenReason = "signature" | "alg" | "exp_missing" | "issuer" | "claims";

/** A placeholder that names an event's fields (only its type is used). */
const fields = <T>() => ({}) as T;

/**
 * Every event, once: its name and fields. The unions below are made from these two tables, and
 * docs/security.md's table of events is checked against their names (test/e2e/docs-events.test.ts),
 * so a new event is an entry here and its row there.
 */
const EVENTS = {
  "signup.succeeded": fields<{ user_id: string; ip: string | null }>(),
  "login.succeeded": fields<{ user_id: string; session_id: string; ip: string | null }>(),
  "login.failed": fields<{
    user_id: string | null;
    reason:
      | "unknown_email"
      | "wrong_password"
      | "credentials_changed"
      | "email_unverified"
      | "passkey_unknown"
      | "passkey_challenge"
      | "passkey_invalid"
      | "passkey_counter";
    ip: string | null;
  }>(),
  "credentials.changed": fields<{
    user_id: string;
    session_id: string;
    password_changed: boolean;
    email_changed: boolean;
    email_change_pending: boolean;
  }>(),
  "session.ended": fields<{ user_id: string | null; session_id: string | null; by: SessionEndedBy; count: number }>(),
  "refresh_token.reuse_detected": fields<{ user_id: string; session_id: string }>(),
  "password_reset.requested": fields<{ user_id: string | null; ip: string | null }>(),
  "password_reset.completed": fields<{ user_id: string }>(),
  "email.verified": fields<{ user_id: string }>(),
  "email.changed": fields<{ user_id: string }>(),
  "email_change.cancelled": fields<{ user_id: string }>(),
  "passkey.registered": fields<{ user_id: string; passkey_id: string }>(),
  "passkey.removed": fields<{ user_id: string; passkey_id: string }>(),
  // A signature counter that did not move forward: the passkey may have been cloned.
  "passkey.counter_regressed": fields<{ user_id: string; passkey_id: string; ip: string | null }>(),
  "mfa.enrolled": fields<{ user_id: string }>(),
  "mfa.disabled": fields<{ user_id: string; by: "totp" | "recovery_code" }>(),
  "mfa.recovery_codes_regenerated": fields<{ user_id: string }>(),
  "mfa.recovery_code_used": fields<{ user_id: string }>(),
  // A login's second step refused (a wrong or spent code, a dead mfa_token), and an mfa_token killed by its fifth.
  "mfa.step_failed": fields<{ user_id: string | null; reason: "mfa_token" | "code"; ip: string | null }>(),
  "mfa.step_locked": fields<{ user_id: string }>(),
  "mail.send_failed": fields<{ kind: string; attempts: number; error: string }>(),
  "mail.link_unavailable": fields<{ kind: string; reason: "app_url_unset" | "host_not_loopback" }>(),
};

const RATE_LIMITED = [
  "login.rate_limited",
  "signup.rate_limited",
  "credentials.rate_limited",
  "password_reset.rate_limited",
  "email_verification.rate_limited",
  "mail.recipient_rate_limited",
] as const;

/**
 * Events anyone can cause at will (junk tokens, wrong keys, guessed links, a budget's 429): written
 * at most once per reason and client network per THROTTLE_WINDOW_MS, with a count of those held back.
 */
const THROTTLED_EVENTS = {
  "access_token.unknown_kid": fields<{ kid: string | null }>(),
  "access_token.invalid": fields<{ kid: string; reason: InvalidTokenReason }>(),
  "webhook.rejected": fields<{ reason: "bad_key" | "unknown_user"; ip: string | null }>(),
  "password_reset.failed": fields<{ reason: "invalid_token" | "address_changed"; ip: string | null }>(),
  "email_verification.failed": fields<{ reason: "invalid_token" | "address_changed"; ip: string | null }>(),
  // The budgets' (auth/budgets.ts): which one (`limit`, its label), when it allows another attempt,
  // and who spent it where that is known (the user; the mail's kind).
  ...(Object.fromEntries(RATE_LIMITED.map((name) => [name, fields<RateLimitedFields>()])) as Record<
    RateLimitedEventName,
    RateLimitedFields
  >),
};

interface RateLimitedFields {
  limit: string;
  retry_after: number;
  ip: string | null;
  user_id?: string;
  kind?: string;
}

/** The events of the budgets' rows, one per operation that spends them. */
export type RateLimitedEventName = (typeof RATE_LIMITED)[number];

type EventOf<T> = { [K in keyof T]: { event: K } & T[K] }[keyof T];
export type SecurityEvent = EventOf<typeof EVENTS>;
export type ThrottledEvent = EventOf<typeof THROTTLED_EVENTS>;

/** Every event name (docs/security.md's table is checked against them). */
export const EVENT_NAMES = [...Object.keys(EVENTS), ...Object.keys(THROTTLED_EVENTS)];

const THROTTLE_WINDOW_MS = 60_000;
/** Reasons × networks tracked per isolate at most; the oldest goes first (its held count written out). */
const MAX_THROTTLES = 1000;

/** Writes one event line; an `ip` is reduced to the client's network prefix first. */
export function emitSecurityEvent(event: SecurityEvent): void {
  const { ip, ...rest } = event as SecurityEvent & { ip?: string | null };
  const prefix = "ip" in event ? { ip_prefix: ip ? networkPrefixOf(ip) : null } : {};
  console.log(JSON.stringify({ ...rest, level: "security", ...prefix }));
}

// Per isolate: when each (reason, network)'s current window started, and how many events it held back.
const throttles = new Map<string, { windowStart: number; held: number }>();

/** The line of a throttled event: its fields, the client's network prefix, and how many it stands for. */
function throttledLine(event: ThrottledEvent, count: number): string {
  const { ip, ...rest } = event as ThrottledEvent & { ip?: string | null };
  const prefix = "ip" in event ? { ip_prefix: ip ? networkPrefixOf(ip) : null } : {};
  return JSON.stringify({ ...rest, count, level: "security", ...prefix });
}

/**
 * Writes a junk-driven event at most once per reason and client network per minute: the first in a
 * window is written with `count` = itself plus the ones held back in the window before, the rest
 * are only counted. Bounded memory: at most MAX_THROTTLES entries; the oldest is dropped first, its
 * held-back count written out then (a `count` with the event's reason and network).
 */
export function emitThrottledSecurityEvent(event: ThrottledEvent, nowMs: number): void {
  const { ip } = event as { ip?: string | null };
  const network = ip ? networkPrefixOf(ip) : "";
  const detail = "reason" in event ? event.reason : "limit" in event ? event.limit : "";
  const key = `${event.event}:${detail}:${network}`;
  const throttle = throttles.get(key);
  // A clock that moved backwards (tests) starts a new window too.
  if (throttle && nowMs >= throttle.windowStart && nowMs - throttle.windowStart < THROTTLE_WINDOW_MS) {
    throttle.held++;
    lastEvents.set(key, event);
    return;
  }
  throttles.delete(key);
  if (throttles.size >= MAX_THROTTLES) evictOldest();
  throttles.set(key, { windowStart: nowMs, held: 0 });
  lastEvents.set(key, event);
  console.log(throttledLine(event, (throttle?.held ?? 0) + 1));
}

// The latest event of each key, so an evicted entry's held-back count can be written with its fields.
const lastEvents = new Map<string, ThrottledEvent>();

function evictOldest(): void {
  const [key, oldest] = throttles.entries().next().value as [string, { held: number }];
  throttles.delete(key);
  const event = lastEvents.get(key);
  lastEvents.delete(key);
  if (event && oldest.held > 0) console.log(throttledLine(event, oldest.held));
}
