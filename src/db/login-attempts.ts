// Failed-login counters in fixed windows. A reservation counts an attempt before the password
// is hashed, atomically (one upsert), so concurrent guesses cannot all slip under the limit.

import { eq, sql } from "drizzle-orm";
import type { Db } from "./client";
import { loginAttempts } from "./schema";

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

export function clearAttemptsStatement(db: Db, key: string) {
  return db.delete(loginAttempts).where(eq(loginAttempts.key, key));
}

/** Takes back one reserved attempt (a success is not a failure). */
export function releaseAttemptStatement(db: Db, key: string) {
  return db
    .update(loginAttempts)
    .set({ count: sql`max(${loginAttempts.count} - 1, 0)` })
    .where(eq(loginAttempts.key, key));
}
