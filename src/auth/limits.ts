// Budgets: attempts counted before the work they guard (a password hash, a revealing answer),
// per email, per account, per user, per client network (an IPv4 address; an IPv6 /64, /56 and
// /48) and globally. Past a budget the answer is 429 with Retry-After, and the work is not done.

import type { Config } from "../config";
import { sha256Hex } from "../crypto/bytes";
import { type AttemptCount, type AttemptKind, attemptKey } from "../db/login-attempts";
import { networkTiersOf } from "../net/network";

export interface ClientMeta {
  /** CF-Connecting-IP; absent locally, where per-network limits do not apply. */
  ip: string | null;
}

/**
 * Each kind of counter and the setting its window comes from: the services count in that window,
 * and housekeeping forgets a counter once its window has passed. A new kind is a row here (the
 * type makes a kind without one an error).
 */
const COUNTER_WINDOWS = {
  email: "loginFailureWindowSeconds",
  account: "loginFailureWindowSeconds",
  ip: "loginFailureWindowSeconds",
  login: "loginFailureWindowSeconds",
  device: "loginFailureWindowSeconds",
  signup: "signupWindowSeconds",
  password: "passwordChangeWindowSeconds",
  reset: "mailWindowSeconds",
  "reset-ip": "mailWindowSeconds",
  verify: "mailWindowSeconds",
  mail: "mailWindowSeconds",
} as const satisfies Record<AttemptKind, keyof Config>;

/** The window of a kind of counter, in milliseconds. */
export const windowMsOf = (config: Config, kind: AttemptKind): number => config[COUNTER_WINDOWS[kind]] * 1000;

/** Every kind of counter with the start before which its windows have passed (for housekeeping). */
export const passedWindowStarts = (config: Config, nowMs: number) =>
  Object.fromEntries(
    (Object.keys(COUNTER_WINDOWS) as AttemptKind[]).map((kind) => [kind, new Date(nowMs - windowMsOf(config, kind))]),
  ) as Record<AttemptKind, Date>;

/** One counter and how many attempts its window allows. */
export interface Budget {
  key: string;
  limit: number;
}

/**
 * The budgets of a client's networks for one kind of counter: the address (or /64) at `limit`,
 * and for IPv6 the /56 and /48 at their multiples. None without a client address (local tools,
 * where CF-Connecting-IP is absent); a value that is not an address counts as one network.
 */
export function networkBudgets(kind: AttemptKind, ip: string | null, limit: number): Budget[] {
  if (!ip) return [];
  const tiers = networkTiersOf(ip);
  if (tiers.length === 0) return [{ key: attemptKey(kind, "unknown"), limit }];
  return tiers.map((tier) => ({ key: attemptKey(kind, tier.key), limit: limit * tier.multiplier }));
}

/** Seconds until every budget allows another attempt, or 0 when all are within their limits. */
export function retryAfter(budgets: Budget[], counts: AttemptCount[], windowMs: number, nowMs: number): number {
  const byKey = new Map(counts.map((count) => [count.key, count]));
  return Math.max(0, ...budgets.map((budget) => overLimit(byKey.get(budget.key), budget.limit, windowMs, nowMs)));
}

/** Seconds until the next attempt is allowed, or 0 when under the limit. */
function overLimit(attempts: AttemptCount | undefined, limit: number, windowMs: number, nowMs: number): number {
  if (!attempts || attempts.count <= limit) return 0;
  return Math.max(1, Math.ceil((attempts.windowStart.getTime() + windowMs - nowMs) / 1000));
}

/**
 * The budget of mails to one address (MAIL_MAX_PER_RECIPIENT per mail window), keyed by a digest
 * of the address so the table holds no addresses: it bounds what anyone can make us send to a
 * stranger's inbox (sign-ups, email changes, resets naming it), whoever asks.
 */
export async function mailRecipientBudget(
  config: Pick<Config, "mailMaxPerRecipient">,
  address: string,
): Promise<Budget> {
  return { key: attemptKey("mail", await sha256Hex(address)), limit: config.mailMaxPerRecipient };
}

/** The keys of some budgets, as the non-empty list a reservation takes (null when there are none). */
export function keysOf(budgets: Budget[]): [string, ...string[]] | null {
  const keys = budgets.map((budget) => budget.key);
  return keys.length > 0 ? (keys as [string, ...string[]]) : null;
}
