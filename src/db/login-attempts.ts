// Attempt counters in fixed windows. A reservation counts an attempt before the work it guards
// (a password hash), atomically (one upsert for all of a request's keys), so concurrent attempts
// cannot all slip under a budget.

import { and, gte, inArray, lt, type SQL, sql } from "drizzle-orm";
import type { Db } from "./client";
import { loginAttempts } from "./schema";

/**
 * Keys that start with `prefix`, as a range of the primary key: from the prefix up to (not
 * including) the prefix with its last character incremented. A range uses the index where LIKE
 * would not (and D1 refuses LIKE patterns over 50 characters).
 */
export const keysStartingWith = (prefix: string) => {
  const next = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  return and(gte(loginAttempts.key, prefix), lt(loginAttempts.key, next)) as SQL;
};

export interface AttemptCount {
  key: string;
  count: number;
  windowStart: Date;
}

/** A counter to count one attempt on, and the length of its fixed window. */
export interface CounterSpend {
  key: string;
  windowMs: number;
}

/**
 * Counts one attempt on each counter (batchable), in one statement; a window older than the
 * counter's own starts over. Yields one row per key, in no particular order.
 */
export function reserveAttemptsStatement(db: Db, counters: readonly [CounterSpend, ...CounterSpend[]], now: Date) {
  const windows = new Set(counters.map((counter) => counter.windowMs));
  // One window for all (the usual case) is one comparison; several are one CASE over the keys.
  const windowStartCutoff =
    windows.size === 1
      ? sql`${now.getTime() - counters[0].windowMs}`
      : sql`case ${loginAttempts.key} ${sql.join(
          counters.map(({ key, windowMs }) => sql`when ${key} then ${now.getTime() - windowMs}`),
          sql` `,
        )} end`;
  const expired = sql`${loginAttempts.windowStart} <= ${windowStartCutoff}`;
  return db
    .insert(loginAttempts)
    .values(counters.map(({ key }) => ({ key, windowStart: now, count: 1 })))
    .onConflictDoUpdate({
      target: loginAttempts.key,
      // SQLite evaluates every SET expression against the old row, so both see the old window.
      set: {
        count: sql`case when ${expired} then 1 else ${loginAttempts.count} + 1 end`,
        windowStart: sql`case when ${expired} then ${now.getTime()} else ${loginAttempts.windowStart} end`,
      },
    })
    .returning({ key: loginAttempts.key, count: loginAttempts.count, windowStart: loginAttempts.windowStart });
}

/** Forgets the keys' attempts, only `when` the condition holds (e.g. the login's session was written). */
export function clearAttemptsStatement(db: Db, keys: string[], when: SQL) {
  return db.delete(loginAttempts).where(and(inArray(loginAttempts.key, keys), when));
}

/** Takes back one reserved attempt of each key (a success is not a failure), only `when` the condition holds. */
export function releaseAttemptsStatement(db: Db, keys: string[], when?: SQL) {
  return db
    .update(loginAttempts)
    .set({ count: sql`max(${loginAttempts.count} - 1, 0)` })
    .where(and(inArray(loginAttempts.key, keys), when));
}
