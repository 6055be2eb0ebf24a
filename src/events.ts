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

export type SecurityEvent =
  | { event: "login.succeeded"; user_id: string; session_id: string; ip: string | null }
  | {
      event: "login.failed";
      user_id: string | null;
      reason: "unknown_email" | "wrong_password" | "credentials_changed" | "email_unverified";
      ip: string | null;
    }
  | { event: "signup.succeeded"; user_id: string; ip: string | null }
  | {
      event: "credentials.changed";
      user_id: string;
      session_id: string;
      password_changed: boolean;
      email_changed: boolean;
      email_change_pending: boolean;
    }
  | { event: "session.ended"; user_id: string | null; session_id: string | null; by: SessionEndedBy; count: number }
  | { event: "refresh_token.reuse_detected"; user_id: string; session_id: string }
  | { event: "password_reset.requested"; user_id: string | null; ip: string | null }
  | { event: "password_reset.completed"; user_id: string }
  | { event: "email.verified"; user_id: string }
  | { event: "email.changed"; user_id: string }
  | { event: "email_change.cancelled"; user_id: string }
  | { event: "mail.send_failed"; kind: string; attempts: number; error: string }
  | { event: "mail.link_unavailable"; kind: string; reason: "app_url_unset" | "host_not_loopback" };

/** The events of the budgets (auth/budgets.ts), one per operation that spends them. */
export type RateLimitedEventName =
  | "login.rate_limited"
  | "signup.rate_limited"
  | "credentials.rate_limited"
  | "password_reset.rate_limited"
  | "email_verification.rate_limited"
  | "mail.recipient_rate_limited";

/**
 * A budget past its limit: which one (`limit`, the budget's label), when it allows another attempt,
 * and who spent it where that is known (the user; the mail's kind).
 */
interface RateLimitedEvent {
  event: RateLimitedEventName;
  limit: string;
  retry_after: number;
  ip: string | null;
  user_id?: string;
  kind?: string;
}

/**
 * Events anyone can cause at will (junk tokens, wrong keys, guessed links, a budget's 429): written
 * at most once per reason and client network per THROTTLE_WINDOW_MS, with a count of those held back.
 */
export type ThrottledEvent =
  | { event: "access_token.unknown_kid"; kid: string | null }
  | { event: "access_token.invalid"; kid: string; reason: InvalidTokenReason }
  | { event: "webhook.rejected"; reason: "bad_key" | "unknown_user"; ip: string | null }
  | { event: "password_reset.failed"; reason: "invalid_token" | "address_changed"; ip: string | null }
  | { event: "email_verification.failed"; reason: "invalid_token" | "address_changed"; ip: string | null }
  | RateLimitedEvent;

/**
 * Every event name, once: the type makes a missing or an unknown name an error, and the table in
 * docs/security.md is checked against it (test/e2e/docs-events.test.ts).
 */
export const EVENT_NAMES: Record<(SecurityEvent | ThrottledEvent)["event"], true> = {
  "signup.succeeded": true,
  "signup.rate_limited": true,
  "login.succeeded": true,
  "login.failed": true,
  "login.rate_limited": true,
  "credentials.rate_limited": true,
  "credentials.changed": true,
  "session.ended": true,
  "refresh_token.reuse_detected": true,
  "access_token.unknown_kid": true,
  "access_token.invalid": true,
  "webhook.rejected": true,
  "password_reset.requested": true,
  "password_reset.rate_limited": true,
  "password_reset.completed": true,
  "password_reset.failed": true,
  "email_verification.failed": true,
  "email.verified": true,
  "email_verification.rate_limited": true,
  "email.changed": true,
  "email_change.cancelled": true,
  "mail.recipient_rate_limited": true,
  "mail.link_unavailable": true,
  "mail.send_failed": true,
};

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
