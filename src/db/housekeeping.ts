// Deletes rows that can no longer matter, in one batch.

import { and, isNotNull, isNull, like, lt, or } from "drizzle-orm";
import { deleteExpiredAccountTokensStatement } from "./account-tokens";
import type { Db } from "./client";
import { forgetNetworksStatement } from "./known-networks";
import { type AttemptKind, attemptKey } from "./login-attempts";
import { loginAttempts, refreshTokens, sessions } from "./schema";

export interface Cutoffs {
  /** Sessions and tokens that ended (expired or revoked) before this go. */
  endedBefore: Date;
  /** Counter windows of each kind that started before its date go (each kind has its own window). */
  attemptWindowStartedBefore: Record<AttemptKind, Date>;
  /** Known networks not logged in from since this go. */
  networkLastLoginBefore: Date;
}

export async function deleteStaleRows(db: Db, cutoffs: Cutoffs) {
  const { endedBefore, attemptWindowStartedBefore, networkLastLoginBefore } = cutoffs;
  const staleCounters = Object.entries(attemptWindowStartedBefore).map(([kind, before]) =>
    and(like(loginAttempts.key, attemptKey(kind as AttemptKind, "%")), lt(loginAttempts.windowStart, before)),
  );
  const [deletedSessions, deletedTokens, deletedAttempts, deletedNetworks, deletedAccountTokens] = await db.batch([
    // A dead session takes its tokens with it (ON DELETE CASCADE), consumed ones included.
    db
      .delete(sessions)
      .where(
        or(
          lt(sessions.expiresAt, endedBefore),
          and(isNotNull(sessions.revokedAt), lt(sessions.revokedAt, endedBefore)),
        ),
      )
      .returning({ id: sessions.id }),
    // Tokens that ended on their own. Consumed tokens stay while their session lives: reuse
    // detection needs them to recognise a replayed token.
    db
      .delete(refreshTokens)
      .where(
        and(
          isNull(refreshTokens.consumedAt),
          or(
            lt(refreshTokens.expiresAt, endedBefore),
            and(isNotNull(refreshTokens.revokedAt), lt(refreshTokens.revokedAt, endedBefore)),
          ),
        ),
      )
      .returning({ tokenHash: refreshTokens.tokenHash }),
    db
      .delete(loginAttempts)
      .where(or(...staleCounters))
      .returning({ key: loginAttempts.key }),
    forgetNetworksStatement(db, networkLastLoginBefore),
    deleteExpiredAccountTokensStatement(db, endedBefore),
  ]);
  return {
    sessions: deletedSessions.length,
    refreshTokens: deletedTokens.length,
    loginAttempts: deletedAttempts.length,
    knownNetworks: deletedNetworks.length,
    accountTokens: deletedAccountTokens.length,
  };
}
