// Failed-login counters in fixed windows. A reservation counts an attempt before the password
// is hashed, atomically (one upsert), so concurrent guesses cannot all slip under the limit.

import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "./client";
import { loginAttempts } from "./schema";

/** Keys of the counters: failed logins per email and per network, sign-ups per network. */
export type AttemptKind = "email" | "ip" | "signup";
export const attemptKey = (kind: AttemptKind, value: string) => `${kind}:${value}`;

export interface AttemptCount {
  count: number;
  windowStart: Date;
}

/** Counts one attempt for a key (batchable); a window older than windowMs starts over. */
export function reserveAttemptStatement(db: Db, key: string, now: Date, windowMs: number) {
  const expired = sql`${loginAttempts.windowStart} <= ${now.getTime() - windowMs}`;
  return db
    .insert(loginAttempts)
    .values({ key, windowStart: now, count: 1 })
    .onConflictDoUpdate({
      target: loginAttempts.key,
      // SQLite evaluates every SET expression against the old row, so both see the old window.
      set: {
        count: sql`case when ${expired} then 1 else ${loginAttempts.count} + 1 end`,
        windowStart: sql`case when ${expired} then ${now.getTime()} else ${loginAttempts.windowStart} end`,
      },
    })
    .returning({ count: loginAttempts.count, windowStart: loginAttempts.windowStart });
}

/** Forgets a key's attempts, only `when` the condition holds (e.g. the login's session was written). */
export function clearAttemptsStatement(db: Db, key: string, when: SQL) {
  return db.delete(loginAttempts).where(and(eq(loginAttempts.key, key), when));
}

/** Takes back one reserved attempt (a success is not a failure), only `when` the condition holds. */
export function releaseAttemptStatement(db: Db, key: string, when: SQL) {
  return db
    .update(loginAttempts)
    .set({ count: sql`max(${loginAttempts.count} - 1, 0)` })
    .where(and(eq(loginAttempts.key, key), when));
}
