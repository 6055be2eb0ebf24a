// CRUD on refresh_tokens. Rows are keyed by the SHA-256 of the token; the token itself never
// reaches this layer.

import { and, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "./client";
import { refreshTokens, users } from "./schema";

export type NewRefreshToken = typeof refreshTokens.$inferInsert;

export async function insertRefreshToken(db: Db, row: NewRefreshToken): Promise<void> {
  await db.insert(refreshTokens).values(row);
}

/**
 * The course's GetUserFromRefreshToken: one indexed query joined to users. Returns the user id
 * only when the token exists, is not revoked and has not expired at `now`.
 */
export async function findUserIdByRefreshTokenHash(db: Db, tokenHash: string, now: Date): Promise<string | null> {
  const row = await db
    .select({ userId: users.id })
    .from(refreshTokens)
    .innerJoin(users, eq(users.id, refreshTokens.userId))
    .where(
      and(eq(refreshTokens.tokenHash, tokenHash), isNull(refreshTokens.revokedAt), gt(refreshTokens.expiresAt, now)),
    )
    .get();
  return row?.userId ?? null;
}

/** Marks a token revoked; a token already revoked keeps its first revoked_at. */
export async function revokeRefreshTokenHash(db: Db, tokenHash: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(refreshTokens)
    .set({ revokedAt: now, updatedAt: now })
    .where(and(eq(refreshTokens.tokenHash, tokenHash), isNull(refreshTokens.revokedAt)))
    .returning({ tokenHash: refreshTokens.tokenHash });
  return rows.length > 0;
}
