// Budgets, as one table: attempts are counted before the work they guard (a password hash, a
// revealing answer, a mail), per email, account, user, device, recipient, client network (an IPv4
// address; an IPv6 /64, with its /56 and /48 at multiples) or globally. Each row says what it
// counts, its limit and window settings, the answer past it (a 429 with Retry-After, or none when
// the answer must not change) and the event that reports it. Every service spends through the
// same three steps: charges → one reservation (in the service's own batch) → enforce.

import type { Config } from "../config";
import { sha256Hex } from "../crypto/bytes";
import type { Db } from "../db/client";
import { type AttemptCount, reserveAttemptsStatement } from "../db/login-attempts";
import { ERRORS, tooManyRequests } from "../errors";
import { emitThrottledSecurityEvent, type RateLimitedEventName } from "../events";
import { networkTiersOf } from "../net/network";

export interface ClientMeta {
  /** CF-Connecting-IP; absent locally, where per-network limits do not apply. */
  ip: string | null;
}

type Setting<T> = { [K in keyof Config]: Config[K] extends T ? K : never }[keyof Config];

interface BudgetRow {
  /**
   * The counter it spends: the key prefix in login_attempts. Rows may share one (an email probe
   * spends the sign-up budget); their windows must then agree (a test checks it).
   */
  counter: string;
  /** What a key names: the client's networks (all tiers), one subject (a digest, an id), or everyone. */
  scope: "network" | "subject" | "global";
  limit: Setting<number>;
  window: Setting<number>;
  /** The error past the limit; null where the answer must not change (a reset's 202, a mail not sent). */
  answer: keyof typeof ERRORS | null;
  event: RateLimitedEventName;
  /** The event's `limit` field: which budget of the operation it was. */
  label: string;
}

/** Every budget, once. A new one is a row here, its settings in config.ts, and rows in the docs. */
export const BUDGETS = {
  // Logins: all in the login window, answered alike (the event says which).
  login_attempts: {
    counter: "login",
    scope: "network",
    limit: "loginMaxAttemptsPerIp",
    window: "loginFailureWindowSeconds",
    answer: "too_many_logins",
    event: "login.rate_limited",
    label: "ip_attempts",
  },
  login_network_failures: {
    counter: "ip",
    scope: "network",
    limit: "loginMaxFailuresPerIp",
    window: "loginFailureWindowSeconds",
    answer: "too_many_logins",
    event: "login.rate_limited",
    label: "ip",
  },
  login_pair_failures: {
    counter: "email",
    scope: "subject",
    limit: "loginMaxFailuresPerEmail",
    window: "loginFailureWindowSeconds",
    answer: "too_many_logins",
    event: "login.rate_limited",
    label: "email",
  },
  login_account_failures: {
    counter: "account",
    scope: "subject",
    limit: "loginMaxFailuresPerAccount",
    window: "loginFailureWindowSeconds",
    answer: "too_many_logins",
    event: "login.rate_limited",
    label: "account",
  },
  login_device_failures: {
    counter: "device",
    scope: "subject",
    limit: "loginMaxFailuresPerDevice",
    window: "loginFailureWindowSeconds",
    answer: "too_many_logins",
    event: "login.rate_limited",
    label: "device",
  },
  // POST /api/passkeys/authentication-options stores a challenge for anyone who asks: per network.
  passkey_challenges: {
    counter: "webauthn",
    scope: "network",
    limit: "loginMaxAttemptsPerIp",
    window: "loginFailureWindowSeconds",
    answer: "too_many_logins",
    event: "login.rate_limited",
    label: "passkey_challenges",
  },
  // The second step of a login: wrong codes per account, across all its mfa_tokens.
  mfa_failures: {
    counter: "mfa",
    scope: "subject",
    limit: "mfaMaxFailuresPerAccount",
    window: "loginFailureWindowSeconds",
    answer: "too_many_logins",
    event: "login.rate_limited",
    label: "mfa",
  },
  signups: {
    counter: "signup",
    scope: "network",
    limit: "signupMaxPerIp",
    window: "signupWindowSeconds",
    answer: "too_many_signups",
    event: "signup.rate_limited",
    label: "ip",
  },
  signups_global: {
    counter: "signup",
    scope: "global",
    limit: "signupMaxGlobal",
    window: "signupWindowSeconds",
    answer: "too_many_signups",
    event: "signup.rate_limited",
    label: "global",
  },
  // A PUT /api/users naming another email asks what sign-up asks (is it registered?): it spends
  // the network's sign-up budget.
  email_probes: {
    counter: "signup",
    scope: "network",
    limit: "signupMaxPerIp",
    window: "signupWindowSeconds",
    answer: "too_many_signups",
    event: "credentials.rate_limited",
    label: "signup",
  },
  credential_changes: {
    counter: "password",
    scope: "subject",
    limit: "passwordChangeMaxPerUser",
    window: "passwordChangeWindowSeconds",
    answer: "too_many_password_changes",
    event: "credentials.rate_limited",
    label: "password",
  },
  reset_requests: {
    counter: "reset",
    scope: "subject",
    limit: "passwordResetMaxPerEmail",
    window: "mailWindowSeconds",
    answer: null,
    event: "password_reset.rate_limited",
    label: "email",
  },
  reset_requests_per_network: {
    counter: "reset-ip",
    scope: "network",
    limit: "passwordResetMaxPerIp",
    window: "mailWindowSeconds",
    answer: null,
    event: "password_reset.rate_limited",
    label: "ip",
  },
  verification_mails: {
    counter: "verify",
    scope: "subject",
    limit: "emailVerificationMaxPerUser",
    window: "mailWindowSeconds",
    answer: "too_many_verification_mails",
    event: "email_verification.rate_limited",
    label: "user",
  },
  mails_per_recipient: {
    counter: "mail",
    scope: "subject",
    limit: "mailMaxPerRecipient",
    window: "mailWindowSeconds",
    answer: null,
    event: "mail.recipient_rate_limited",
    label: "recipient",
  },
} as const satisfies Record<string, BudgetRow>;

export type BudgetName = keyof typeof BUDGETS;

/** One counter a request spends: its budget, its key and how many attempts its window allows. */
export interface Charge {
  budget: BudgetName;
  key: string;
  limit: number;
  windowMs: number;
}

const keyOf = (budget: BudgetName, value: string) => `${BUDGETS[budget].counter}:${value}`;

/**
 * The counters a request spends on one budget: for a network budget, `of` is the client's address
 * (none without one: local tools, where CF-Connecting-IP is absent; a value that is not an address
 * counts as one network); for a subject budget, the subject (an email digest, a user id…).
 */
export function charges(config: Config, budget: BudgetName, of: string | null): Charge[] {
  const row: BudgetRow = BUDGETS[budget];
  const limit = config[row.limit];
  const windowMs = config[row.window] * 1000;
  if (row.scope === "global") return [{ budget, key: keyOf(budget, "global"), limit, windowMs }];
  if (of === null) return [];
  if (row.scope === "subject") return [{ budget, key: keyOf(budget, of), limit, windowMs }];
  const tiers = networkTiersOf(of);
  if (tiers.length === 0) return [{ budget, key: keyOf(budget, "unknown"), limit, windowMs }];
  return tiers.map((tier) => ({ budget, key: keyOf(budget, tier.key), limit: limit * tier.multiplier, windowMs }));
}

/** The one counter of a subject budget (see charges). */
export const charge = (config: Config, budget: BudgetName, subject: string): Charge =>
  charges(config, budget, subject)[0];

/** The mail budget of an address, keyed by its digest so the table holds no addresses. */
export const recipientCharge = async (config: Config, address: string): Promise<Charge> =>
  charge(config, "mails_per_recipient", await sha256Hex(address));

/** A login's (email, network) failure counter: one network guessing one account. */
export const loginPairSubject = (emailDigest: string, network: string) => `${emailDigest}:${network}`;

/** The counters that lock an address's logins (a reset clears them): its account counter and every (email, network) pair. */
export const loginLockOf = (emailDigest: string) => ({
  keys: [keyOf("login_account_failures", emailDigest)],
  prefixes: [keyOf("login_pair_failures", loginPairSubject(emailDigest, ""))],
});

/**
 * Counts one attempt on each charge (batchable, one statement; each counter in its own window).
 * Null when there is nothing to count.
 */
export function reserveStatement(db: Db, spent: Charge[], now: Date) {
  if (spent.length === 0) return null;
  const [first, ...rest] = spent.map(({ key, windowMs }) => ({ key, windowMs }));
  return reserveAttemptsStatement(db, [first, ...rest], now);
}

/** Reserves the charges on their own (one statement), or counts nothing when there are none. */
export async function reserve(db: Db, spent: Charge[], now: Date): Promise<AttemptCount[]> {
  const statement = reserveStatement(db, spent, now);
  return statement ? await statement : [];
}

/** A budget past its limit, and the seconds until every spent budget allows another attempt. */
export interface Overrun {
  budget: BudgetName;
  retryAfter: number;
}

/** The budget furthest past its limit among the charges (the first one on a tie), or null. */
export function overrun(spent: Charge[], counts: AttemptCount[], nowMs: number): Overrun | null {
  const byKey = new Map(counts.map((count) => [count.key, count]));
  let worst: Overrun | null = null;
  for (const { budget, key, limit, windowMs } of spent) {
    const attempts = byKey.get(key);
    if (!attempts || attempts.count <= limit) continue;
    const wait = Math.max(1, Math.ceil((attempts.windowStart.getTime() + windowMs - nowMs) / 1000));
    if (!worst || wait > worst.retryAfter) worst = { budget, retryAfter: wait };
  }
  return worst;
}

/** Who spent: the client's address, and the user or mail kind where the budget has one. */
export interface SpendContext {
  ip: string | null;
  user_id?: string;
  kind?: string;
}

/**
 * Applies the reserved counts: past a budget, its event (throttled: anyone can cause it), then its
 * 429 with Retry-After, or — for a budget whose answer must not change — the overrun, for the
 * caller to do nothing more. Null when every budget is within its limit.
 */
export function enforce(spent: Charge[], counts: AttemptCount[], nowMs: number, context: SpendContext): Overrun | null {
  const over = overrun(spent, counts, nowMs);
  if (!over) return null;
  const row: BudgetRow = BUDGETS[over.budget];
  emitThrottledSecurityEvent({ event: row.event, limit: row.label, retry_after: over.retryAfter, ...context }, nowMs);
  if (row.answer === null) return over;
  throw tooManyRequests(ERRORS[row.answer].message, over.retryAfter);
}

/** Reserves the charges on their own and enforces them (for a spend that is its own round trip). */
export async function spend(
  deps: { db: Db; config: Config; clock: { now(): number } },
  spent: Charge[],
  context: SpendContext,
): Promise<Overrun | null> {
  const nowMs = deps.clock.now();
  return enforce(spent, await reserve(deps.db, spent, new Date(nowMs)), nowMs, context);
}

/** Every counter with the start before which its windows have passed (for housekeeping). */
export function passedWindowStarts(config: Config, nowMs: number): Record<string, Date> {
  const longest = new Map<string, number>();
  for (const row of Object.values(BUDGETS) as BudgetRow[]) {
    longest.set(row.counter, Math.max(longest.get(row.counter) ?? 0, config[row.window] * 1000));
  }
  return Object.fromEntries([...longest].map(([counter, windowMs]) => [counter, new Date(nowMs - windowMs)]));
}
