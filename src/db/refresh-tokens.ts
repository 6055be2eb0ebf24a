// CRUD on refresh_tokens. Rows are keyed by the SHA-256 of the token; the token itself never
// reaches this layer. A token is usable only while it and its session are live.

import { and, eq, exists, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { Caller } from "../caller";
import { type Db, type Outcome, prepared } from "./client";
import { isLive, refreshTokens, sessions } from "./schema";

const liveSessionOfToken = (db: Db, now: Date) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(sessions)
      .where(and(eq(sessions.id, refreshTokens.sessionId), isLive(sessions, now))),
  );

/** "The session of the refresh token matching `where`", as a condition on sessions. */
const isSessionOfToken = (db: Db, where: SQL | undefined) =>
  inArray(sessions.id, db.select({ id: refreshTokens.sessionId }).from(refreshTokens).where(where));

export interface UsableToken extends Caller {
  /** The session's last_used_at, to decide whether it needs a new stamp. */
  lastUsedAt: Date;
  /** How the session's login proved who it was (sessions.amr). */
  amr: string;
}

/**
 * Without rotation: the owner of a usable token (exists, not revoked, not consumed, not expired,
 * session live), in one indexed read. Null when not usable.
 */
export async function findUsableRefreshToken(db: Db, tokenHash: string, now: Date): Promise<UsableToken | null> {
  const query = prepared(db, "findUsableRefreshToken", (db) => {
    const nowMs = sql.placeholder("now");
    return db
      .select({ userId: sessions.userId, sessionId: sessions.id, lastUsedAt: sessions.lastUsedAt, amr: sessions.amr })
      .from(refreshTokens)
      .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
      .where(
        and(
          eq(refreshTokens.tokenHash, sql.placeholder("tokenHash")),
          isNull(refreshTokens.consumedAt),
          isLive(refreshTokens, nowMs),
          isLive(sessions, nowMs),
        ),
      )
      .prepare();
  });
  return (await query.get({ tokenHash, now: now.getTime() })) ?? null;
}

/**
 * Writes a new refresh token (its SHA-256) for the session `ofSession` selects (batchable): the one
 * place a refresh-token row is made. It lives as long as its session: neither a login nor a rotation
 * extends the family's lifetime. Nothing is written when no session matches.
 */
export function insertRefreshTokenStatement(db: Db, tokenHash: string, now: Date, ofSession: SQL | undefined) {
  const nowMs = now.getTime();
  return db.insert(refreshTokens).select(
    db
      .select({
        tokenHash: sql<string>`${tokenHash}`.as("token_hash"),
        createdAt: sql<number>`${nowMs}`.as("created_at"),
        updatedAt: sql<number>`${nowMs}`.as("updated_at"),
        userId: sessions.userId,
        expiresAt: sessions.expiresAt,
        revokedAt: sql<null>`null`.as("revoked_at"),
        sessionId: sessions.id,
        consumedAt: sql<null>`null`.as("consumed_at"),
        rotationNonce: sql<null>`null`.as("rotation_nonce"),
      })
      .from(sessions)
      .where(ofSession),
  );
}

export interface RotationInput {
  tokenHash: string;
  nonce: string;
  successorHash: string;
  now: Date;
}

/** A consumed token's owner, when its family ends, and how its login proved who it was. */
interface Owner extends Caller {
  expiresAt: Date;
  amr: string;
}

interface TokenState extends Owner {
  consumedAt: Date | null;
  rotationNonce: string | null;
  usable: boolean;
}

/** Won: this request consumed the token. Lost: another did, or it is not usable; its state, if any. */
export type RotationResult = Outcome<{ owner: Owner }, "lost", { state: TokenState | null }>;

/**
 * Rotation, in one D1 batch (one transaction; D1 has no BEGIN): consume the token if it is
 * still usable, insert the successor only if this request's nonce won the consume, stamp the
 * session, and read the token's state for the loser. Concurrent requests cannot both win: the
 * consume is a single conditional UPDATE.
 */
export async function rotateRefreshToken(db: Db, input: RotationInput): Promise<RotationResult> {
  const { tokenHash, nonce, successorHash, now } = input;
  const _nowMs = now.getTime();
  const wonBy = and(eq(refreshTokens.tokenHash, tokenHash), eq(refreshTokens.rotationNonce, nonce));
  const [consumed, , , state] = await db.batch([
    db
      .update(refreshTokens)
      .set({ consumedAt: now, rotationNonce: nonce, updatedAt: now })
      .where(
        and(
          eq(refreshTokens.tokenHash, tokenHash),
          isNull(refreshTokens.consumedAt),
          isLive(refreshTokens, now),
          liveSessionOfToken(db, now),
        ),
      )
      .returning({
        userId: refreshTokens.userId,
        sessionId: refreshTokens.sessionId,
        expiresAt: refreshTokens.expiresAt,
      }),
    // The successor lives as long as the family: rotation never extends the login's lifetime.
    // It is inserted only if the consume above was this request's (the nonce is ours).
    insertRefreshTokenStatement(db, successorHash, now, isSessionOfToken(db, wonBy)),
    db.update(sessions).set({ lastUsedAt: now }).where(isSessionOfToken(db, wonBy)),
    db
      .select({
        userId: refreshTokens.userId,
        sessionId: refreshTokens.sessionId,
        expiresAt: refreshTokens.expiresAt,
        consumedAt: refreshTokens.consumedAt,
        rotationNonce: refreshTokens.rotationNonce,
        amr: sessions.amr,
        usable: sql<number>`${and(isLive(refreshTokens, now), isLive(sessions, now))}`,
      })
      .from(refreshTokens)
      .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
      .where(eq(refreshTokens.tokenHash, tokenHash)),
  ]);
  const row = state[0];
  // The session's amr, from the read that follows the consume in the same batch.
  if (consumed[0]) return { ok: true, owner: { ...consumed[0], amr: row?.amr ?? "pwd" } };
  return { ok: false, reason: "lost", state: row ? { ...row, usable: Boolean(row.usable) } : null };
}

/**
 * Revokes a token and ends its whole family (session). A token already revoked keeps its first
 * revoked_at; an unknown token changes nothing. Returns the session it ended, if it ended one.
 */
export async function revokeRefreshTokenFamily(db: Db, tokenHash: string, now: Date): Promise<Caller | null> {
  const [, ended] = await db.batch([
    db
      .update(refreshTokens)
      .set({ revokedAt: now, updatedAt: now })
      .where(and(eq(refreshTokens.tokenHash, tokenHash), isNull(refreshTokens.revokedAt))),
    db
      .update(sessions)
      .set({ revokedAt: now })
      .where(and(isSessionOfToken(db, eq(refreshTokens.tokenHash, tokenHash)), isNull(sessions.revokedAt)))
      .returning({ userId: sessions.userId, sessionId: sessions.id }),
  ]);
  return ended[0] ?? null;
}
