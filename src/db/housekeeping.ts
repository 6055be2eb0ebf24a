// Deletes rows that can no longer matter, in one batch.

import { and, isNotNull, isNull, like, lt, not, or } from "drizzle-orm";
import type { Db } from "./client";
import { attemptKey } from "./login-attempts";
import { loginAttempts, refreshTokens, sessions } from "./schema";

export interface Cutoffs {
  /** Sessions and tokens that ended (expired or revoked) before this go. */
  endedBefore: Date;
  /** Login-attempt windows that started before this go. */
  attemptWindowStartedBefore: Date;
  /** Sign-up counter windows (keys "signup:…") that started before this go. */
  signupWindowStartedBefore: Date;
}

const SIGNUP_KEYS = attemptKey("signup", "%");

export async function deleteStaleRows(db: Db, cutoffs: Cutoffs) {
  const { endedBefore, attemptWindowStartedBefore, signupWindowStartedBefore } = cutoffs;
  const [deletedSessions, deletedTokens, deletedAttempts] = await db.batch([
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
      .where(
        or(
          and(lt(loginAttempts.windowStart, attemptWindowStartedBefore), not(like(loginAttempts.key, SIGNUP_KEYS))),
          and(lt(loginAttempts.windowStart, signupWindowStartedBefore), like(loginAttempts.key, SIGNUP_KEYS)),
        ),
      )
      .returning({ key: loginAttempts.key }),
  ]);
  return {
    sessions: deletedSessions.length,
    refreshTokens: deletedTokens.length,
    loginAttempts: deletedAttempts.length,
  };
}
