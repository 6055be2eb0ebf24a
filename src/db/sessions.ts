// CRUD on sessions: one per login, the family its refresh and access tokens belong to.

import { and, desc, eq, exists, getTableColumns, isNull, lte, notInArray, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { type Db, prepared } from "./client";
import { insertRefreshTokenStatement } from "./refresh-tokens";
import { isLive, rowid, type Session, sessions, type User, users } from "./schema";

const live = (now: Date) => isLive(sessions, now);

// Aliased so the condition can sit inside a statement on sessions itself.
const caller = alias(sessions, "caller");

/**
 * "This session of this user is live", as a condition any write can carry: the write and the
 * session check are then one statement, so a session ended while the request was in flight
 * stops the write (no check-then-act window).
 */
export const whileSessionLive = (db: Db, userId: string | SQL, sessionId: string | SQL, now: number | SQL) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(caller)
      .where(and(eq(caller.id, sessionId), eq(caller.userId, userId), isLive(caller, sql`${now}`))),
  );

export interface OpenSession {
  id: string;
  userId: string;
  now: Date;
  expiresAt: Date;
  userAgent: string | null;
  refreshTokenHash: string;
  /** How the login proved who it was (space-separated RFC 8176 values). */
  amr: string;
  /**
   * A condition on the user's row: the credential the login verified (its password hash, its
   * passkey). The session is written only while it still holds.
   */
  holds: SQL;
  /** REQUIRE_VERIFIED_EMAIL: written only while the address is verified, too. */
  requireVerifiedEmail: boolean;
}

/**
 * The statements that open a session with its first refresh token (batch them together), written
 * only while the user still has the credential the login verified (`holds`): a password change,
 * a removed passkey or a deletion that lands between the verification and this write leaves no
 * session. The first
 * yields the new session's id, or nothing when nothing was written.
 */
export function openSessionStatements(db: Db, input: OpenSession) {
  const nowMs = input.now.getTime();
  return [
    db
      .insert(sessions)
      .select(
        db
          .select({
            id: sql<string>`${input.id}`.as("id"),
            userId: users.id,
            createdAt: sql<number>`${nowMs}`.as("created_at"),
            lastUsedAt: sql<number>`${nowMs}`.as("last_used_at"),
            expiresAt: sql<number>`${input.expiresAt.getTime()}`.as("expires_at"),
            revokedAt: sql<null>`null`.as("revoked_at"),
            userAgent: sql<string | null>`${input.userAgent}`.as("user_agent"),
            amr: sql<string>`${input.amr}`.as("amr"),
          })
          .from(users)
          .where(
            and(
              eq(users.id, input.userId),
              input.holds,
              input.requireVerifiedEmail ? eq(users.emailVerified, true) : undefined,
            ),
          ),
      )
      .returning({ id: sessions.id }),
    insertRefreshTokenStatement(db, input.refreshTokenHash, input.now, eq(sessions.id, input.id)),
  ] as const;
}

/** "This session exists", as a condition later statements of the login's batch carry. */
export const sessionWritten = (db: Db, sessionId: string) =>
  exists(db.select({ one: sql`1` }).from(sessions).where(eq(sessions.id, sessionId)));

/**
 * Ends the user's live sessions beyond the `keep` most recently used (batchable), `when` the
 * condition holds; yields their ids. Run after a login's insert, the new session is among those kept.
 */
export function endLeastRecentlyUsedSessionsStatement(db: Db, userId: string, keep: number, now: Date, when: SQL) {
  const mostRecentlyUsed = db
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), live(now)))
    .orderBy(desc(sessions.lastUsedAt), desc(sessions.createdAt), desc(rowid))
    .limit(keep);
  return db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.userId, userId), live(now), notInArray(sessions.id, mostRecentlyUsed), when))
    .returning({ id: sessions.id });
}

/**
 * The lookup every protected request makes: the user behind an access token, only while its
 * session is live. One indexed query, so ending a session ends its access tokens at once.
 */
export async function findUserInLiveSession(
  db: Db,
  userId: string,
  sessionId: string,
  now: Date,
): Promise<User | null> {
  const query = prepared(db, "findUserInLiveSession", (db) =>
    db
      .select(getTableColumns(users))
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(
        and(
          eq(sessions.id, sql.placeholder("sessionId")),
          eq(sessions.userId, sql.placeholder("userId")),
          isLive(sessions, sql.placeholder("now")),
        ),
      )
      .prepare(),
  );
  return (await query.get({ sessionId, userId, now: now.getTime() })) ?? null;
}

export function listLiveSessions(db: Db, userId: string, now: Date): Promise<Session[]> {
  return db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), live(now)))
    .orderBy(desc(sessions.createdAt), desc(rowid));
}

/**
 * Ends one live session of a user, on behalf of the caller's session and only while that is
 * live; false when nothing was ended (not theirs, unknown, already ended, or the caller's
 * session ended meanwhile).
 */
export async function revokeSessionOfUser(
  db: Db,
  userId: string,
  sessionId: string,
  callerSessionId: string,
  now: Date,
): Promise<boolean> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(
      and(
        eq(sessions.id, sessionId),
        eq(sessions.userId, userId),
        live(now),
        whileSessionLive(db, userId, callerSessionId, now.getTime()),
      ),
    )
    .returning({ id: sessions.id });
  return rows.length > 0;
}

/** Ends every live session of a user `when` the condition holds (batchable); returns their ids. */
export function endSessionsOfUserStatement(db: Db, userId: string, now: Date, when: SQL) {
  return db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), when))
    .returning({ id: sessions.id });
}

/**
 * "Log out everywhere" on behalf of the caller's session, only while it is live. Returns how
 * many sessions ended: 0 means the caller's session had ended (it is always one of them).
 */
export async function revokeAllSessionsOfUser(
  db: Db,
  userId: string,
  callerSessionId: string,
  now: Date,
): Promise<number> {
  const when = whileSessionLive(db, userId, callerSessionId, now.getTime());
  return (await endSessionsOfUserStatement(db, userId, now, when)).length;
}

/** Ends a session (reuse detection): its tokens, every descendant included, stop working. */
export async function revokeSession(db: Db, sessionId: string, now: Date): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

/**
 * Stamps a live session's last_used_at if it is no newer than `staleBefore` (concurrent refreshes: one writes)
 */
export async function touchSession(db: Db, sessionId: string, now: Date, staleBefore: Date): Promise<void> {
  await db
    .update(sessions)
    .set({ lastUsedAt: now })
    .where(and(eq(sessions.id, sessionId), lte(sessions.lastUsedAt, staleBefore), live(now)));
}
