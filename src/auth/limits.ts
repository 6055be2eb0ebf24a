// Counting attempts before the work they guard (a password hash): per email, and per client
// network (IPv4 address, IPv6 /64) for login failures and sign-ups.

import type { AttemptCount } from "../db/login-attempts";
import { attemptKey } from "../db/login-attempts";
import { networkKeyOf } from "./network";

export interface ClientMeta {
  /** CF-Connecting-IP; absent locally, where per-network limits do not apply. */
  ip: string | null;
}

/** The key of a client's network in the attempt counters: IPv4 address, or IPv6 /64. */
export const networkKey = (kind: "ip" | "signup", ip: string | null) =>
  attemptKey(kind, (ip && networkKeyOf(ip)) ?? "unknown");

/**
 * overLimit for a per-network counter: a request without a client address (local tools, where
 * CF-Connecting-IP is absent) is never limited per network.
 */
export const overNetworkLimit = (
  meta: ClientMeta,
  attempts: AttemptCount | undefined,
  limit: number,
  windowMs: number,
  nowMs: number,
) => (meta.ip ? overLimit(attempts, limit, windowMs, nowMs) : 0);

/** Seconds until the next attempt is allowed, or 0 when under the limit. */
export function overLimit(attempts: AttemptCount | undefined, limit: number, windowMs: number, nowMs: number): number {
  if (!attempts || attempts.count <= limit) return 0;
  return Math.max(1, Math.ceil((attempts.windowStart.getTime() + windowMs - nowMs) / 1000));
}
