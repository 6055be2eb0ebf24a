// Deletes rows that can no longer matter, in bounded steps: each statement picks at most `limit`
// rows by an index range (a subquery with LIMIT: D1's SQLite has no DELETE … LIMIT) and deletes
// them, returning only a count. A step is one batch of every sweep; the caller repeats steps until
// every sweep deleted fewer than its limit, or its time budget is spent.

import { and, eq, inArray, isNotNull, lt, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";
import { keysStartingWith } from "./login-attempts";
import {
  accountTokens,
  knownNetworks,
  loginAttempts,
  mfaTokens,
  refreshTokens,
  sessions,
  webauthnChallenges,
} from "./schema";

export interface Cutoffs {
  /** Sessions and tokens that ended (expired or revoked) before this go. */
  endedBefore: Date;
  /** Counter windows of each kind that started before its date go (each kind has its own window). */
  attemptWindowStartedBefore: Record<string, Date>;
  /** Known networks not logged in from since this go. */
  networkLastLoginBefore: Date;
  /** WebAuthn challenges and mfa_tokens that expired before this go (unanswered ceremonies, unfinished logins). */
  shortLivedExpiredBefore: Date;
}

/** What one step (or a whole run) deleted, by table. */
export interface Deleted {
  sessions: number;
  refreshTokens: number;
  loginAttempts: number;
  knownNetworks: number;
  accountTokens: number;
  webauthnChallenges: number;
  mfaTokens: number;
}

/** A run or step that deleted nothing yet. */
export const nothingDeleted = (): Deleted => ({
  sessions: 0,
  refreshTokens: 0,
  loginAttempts: 0,
  knownNetworks: 0,
  accountTokens: 0,
  webauthnChallenges: 0,
  mfaTokens: 0,
});

const rowid = sql`rowid`;

/** One bounded delete: the table its count adds to, and its statement for `limit` rows. */
interface Sweep {
  table: keyof Deleted;
  statement: BatchItem<"sqlite">;
}

/** Up to `limit` rows of a table whose `expiresAt` passed before `before`, by its primary key. */
function expiredSweep(
  db: Db,
  table: keyof Deleted,
  key: SQLiteColumn,
  expiresAt: SQLiteColumn,
  before: Date,
  limit: number,
): Sweep {
  const rows = key.table;
  return {
    table,
    statement: db
      .delete(rows)
      .where(inArray(key, db.select({ key }).from(rows).where(lt(expiresAt, before)).limit(limit))),
  };
}

function sweeps(db: Db, cutoffs: Cutoffs, limit: number): Sweep[] {
  const { endedBefore, attemptWindowStartedBefore, networkLastLoginBefore, shortLivedExpiredBefore } = cutoffs;
  const ended = [
    lt(sessions.expiresAt, endedBefore),
    and(isNotNull(sessions.revokedAt), lt(sessions.revokedAt, endedBefore)),
  ];
  return [
    // A dead session's tokens first (consumed ones included: reuse detection needs them only while
    // the session lives), a bounded number at a time. A token never ends alone: it lives exactly as
    // long as its session, and revoking it ends the session, so these sweeps reach every ended token.
    // A session that rotated hourly for 60 days has ~1,440 tokens, which an ON DELETE CASCADE would
    // delete in one unbounded statement.
    ...ended.map((endedSession) => ({
      table: "refreshTokens" as const,
      statement: db
        .delete(refreshTokens)
        .where(
          inArray(
            refreshTokens.tokenHash,
            db
              .select({ tokenHash: refreshTokens.tokenHash })
              .from(sessions)
              .innerJoin(refreshTokens, eq(refreshTokens.sessionId, sessions.id))
              .where(endedSession)
              .limit(limit),
          ),
        ),
    })),
    // Then the sessions whose tokens are gone (the batch runs in order, so a session the sweeps
    // above emptied goes in the same step); one that still has tokens waits for the next step.
    ...ended.map((endedSession) => ({
      table: "sessions" as const,
      statement: db
        .delete(sessions)
        .where(
          and(
            inArray(sessions.id, db.select({ id: sessions.id }).from(sessions).where(endedSession).limit(limit)),
            sql`not exists (select 1 from ${refreshTokens} where ${refreshTokens.sessionId} = ${sessions.id})`,
          ),
        ),
    })),
    // Counters, kind by kind: the kind's keys are one range of the primary key ("kind:" up to
    // "kind;"; "reset:" and "reset-ip:" are different ranges), each kind with its own window.
    ...Object.entries(attemptWindowStartedBefore).map(([kind, before]) => ({
      table: "loginAttempts" as const,
      statement: db.delete(loginAttempts).where(
        inArray(
          loginAttempts.key,
          db
            .select({ key: loginAttempts.key })
            .from(loginAttempts)
            .where(and(keysStartingWith(`${kind}:`), lt(loginAttempts.windowStart, before)))
            .limit(limit),
        ),
      ),
    })),
    {
      table: "knownNetworks",
      statement: db.delete(knownNetworks).where(
        inArray(
          rowid,
          db
            .select({ rowid: sql`${rowid}` })
            .from(knownNetworks)
            .where(lt(knownNetworks.lastLoginAt, networkLastLoginBefore))
            .limit(limit),
        ),
      ),
    },
    expiredSweep(db, "accountTokens", accountTokens.tokenHash, accountTokens.expiresAt, endedBefore, limit),
    expiredSweep(
      db,
      "webauthnChallenges",
      webauthnChallenges.challengeHash,
      webauthnChallenges.expiresAt,
      shortLivedExpiredBefore,
      limit,
    ),
    expiredSweep(db, "mfaTokens", mfaTokens.tokenHash, mfaTokens.expiresAt, shortLivedExpiredBefore, limit),
  ];
}

/**
 * One step: every sweep once, in one batch, each deleting at most `limit` rows. `more` is true
 * when some sweep reached its limit (rows may be left for another step).
 */
export async function deleteStaleRowsStep(
  db: Db,
  cutoffs: Cutoffs,
  limit: number,
): Promise<{ deleted: Deleted; more: boolean }> {
  const list = sweeps(db, cutoffs, limit);
  const results = (await db.batch(list.map((sweep) => sweep.statement) as [BatchItem<"sqlite">])) as unknown as {
    meta: { changes: number };
  }[];
  const deleted = nothingDeleted();
  let more = false;
  list.forEach((sweep, i) => {
    const changes = results[i].meta.changes;
    deleted[sweep.table] += changes;
    if (changes >= limit) more = true;
  });
  return { deleted, more };
}
