// CRUD on sessions: one per login, the family its refresh and access tokens belong to.

import { and, desc, eq, getTableColumns, gt, isNull, sql } from "drizzle-orm";
import { type Db, prepared } from "./client";
import type { NewRefreshToken } from "./refresh-tokens";
import { refreshTokens, rowid, type Session, sessions, type User, users } from "./schema";

export type NewSession = typeof sessions.$inferInsert;

const live = (now: Date) => and(isNull(sessions.revokedAt), gt(sessions.expiresAt, now));

/** Inserts a session with its first refresh token, plus any other statements, in one batch. */
export function insertSessionStatements(db: Db, session: NewSession, token: NewRefreshToken) {
  return [db.insert(sessions).values(session), db.insert(refreshTokens).values(token)] as const;
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
          isNull(sessions.revokedAt),
          gt(sessions.expiresAt, sql.placeholder("now")),
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

/** Ends one live session of a user; false when it is not theirs, unknown or already ended. */
export async function revokeSessionOfUser(db: Db, userId: string, sessionId: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), live(now)))
    .returning({ id: sessions.id });
  return rows.length > 0;
}

/** Ends every live session of a user (as a batchable statement). */
export function revokeAllSessionsStatement(db: Db, userId: string, now: Date) {
  return db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)));
}

/** Ends a session (reuse detection): its tokens, every descendant included, stop working. */
export async function revokeSession(db: Db, sessionId: string, now: Date): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}
