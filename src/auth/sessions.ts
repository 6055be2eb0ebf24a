// The session rules: refresh (with optional rotation and reuse detection), revoke, and the
// session list a user can see and end. Never sees Context, Request or Response.

import type { Deps } from "../context";
import { sha256Hex, toHex } from "../crypto/bytes";
import { revokeRefreshTokenFamily, rotateRefreshToken, useRefreshToken } from "../db/refresh-tokens";
import type { Session } from "../db/schema";
import { listLiveSessions, revokeAllSessionsStatement, revokeSession, revokeSessionOfUser } from "../db/sessions";
import { notFound, unauthorized } from "../errors";
import { deriveSuccessor, issueAccessToken, REFRESH_TOKEN_PATTERN, requireKeyRing } from "./tokens";

const NONCE_BYTES = 32;
const invalidRefreshToken = () => unauthorized("Invalid refresh token");

export interface RefreshResult {
  accessToken: string;
  /** Present when rotation is on: the token to use next time. */
  refreshToken?: string;
}

/**
 * Trades a live refresh token for a new access token. With REFRESH_TOKEN_ROTATION=on it also
 * returns a successor and consumes the presented token (RFC 9700 §4.14.2):
 * - the same token again within the grace window gets the same successor, so two tabs or
 *   processes refreshing at once never log the user out;
 * - the same token after the window is treated as theft: the whole family (session) ends,
 *   the live successor included, and the answer is 401.
 */
export async function refreshSession(deps: Deps, presented: string): Promise<RefreshResult> {
  const { config, clock, db } = deps;
  const keys = await requireKeyRing(config);
  // A token that cannot be one of ours is refused without a database round trip.
  if (!REFRESH_TOKEN_PATTERN.test(presented)) throw invalidRefreshToken();
  const nowMs = clock.now();
  const now = new Date(nowMs);
  const tokenHash = await sha256Hex(presented);

  if (!config.refreshTokenRotation) {
    const owner = await useRefreshToken(db, tokenHash, now);
    if (!owner) throw invalidRefreshToken();
    return { accessToken: await issueAccessToken(deps, keys, owner.userId, owner.sessionId, nowMs) };
  }

  const nonce = toHex(deps.random(NONCE_BYTES));
  const successor = await deriveSuccessor(nonce, presented);
  const result = await rotateRefreshToken(db, { tokenHash, nonce, successorHash: await sha256Hex(successor), now });
  if ("won" in result) {
    const { userId, sessionId } = result.won;
    return { accessToken: await issueAccessToken(deps, keys, userId, sessionId, nowMs), refreshToken: successor };
  }

  const state = result.lost;
  if (!state?.usable || state.consumedAt === null || state.rotationNonce === null) {
    throw invalidRefreshToken();
  }
  if (nowMs - state.consumedAt.getTime() <= config.refreshTokenReuseGraceSeconds * 1000) {
    return {
      accessToken: await issueAccessToken(deps, keys, state.userId, state.sessionId, nowMs),
      refreshToken: await deriveSuccessor(state.rotationNonce, presented),
    };
  }
  // Reuse after the grace window: someone holds a token they should not. End the family.
  await revokeSession(db, state.sessionId, now);
  throw invalidRefreshToken();
}

/**
 * Revokes a refresh token and ends its family. Unknown and already-revoked tokens are a silent
 * no-op (RFC 7009 §2.2), and a second revoke keeps the first revoked_at.
 */
export async function revokeRefreshToken(deps: Deps, presented: string): Promise<void> {
  if (!REFRESH_TOKEN_PATTERN.test(presented)) return;
  await revokeRefreshTokenFamily(deps.db, await sha256Hex(presented), new Date(deps.clock.now()));
}

export function listSessions(deps: Deps, userId: string): Promise<Session[]> {
  return listLiveSessions(deps.db, userId, new Date(deps.clock.now()));
}

/** Ends one of the user's sessions; 404 for someone else's, an unknown one, or one already ended. */
export async function endSession(deps: Deps, userId: string, sessionId: string): Promise<void> {
  if (!(await revokeSessionOfUser(deps.db, userId, sessionId, new Date(deps.clock.now())))) {
    throw notFound("Session not found");
  }
}

/** "Log out everywhere": ends every session of the user. */
export async function endAllSessions(deps: Deps, userId: string): Promise<void> {
  await revokeAllSessionsStatement(deps.db, userId, new Date(deps.clock.now()));
}
