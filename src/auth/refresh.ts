// Refresh (with optional rotation and reuse detection) and revoke: what a refresh token can do.
// Never sees Context, Request or Response.

import { sha256Hex, toHex } from "../crypto/bytes";
import { findUsableRefreshToken, revokeRefreshTokenFamily, rotateRefreshToken } from "../db/refresh-tokens";
import { revokeSession, touchSession } from "../db/sessions";
import type { Deps } from "../deps";
import { INVALID_REFRESH_TOKEN, invalidToken } from "../errors";
import { emitSecurityEvent } from "../events";
import {
  deriveSuccessor,
  issueAccessToken,
  OPAQUE_TOKEN_PATTERN,
  readRotationStamp,
  requireKeyRing,
  rotationStamp,
} from "./tokens";

const NONCE_BYTES = 32;
const invalidRefreshToken = () => invalidToken(INVALID_REFRESH_TOKEN);

export interface RefreshResult {
  accessToken: string;
  /** Present when rotation is on: the token to use next time, and when its session ends. */
  successor?: { refreshToken: string; expiresAt: Date };
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
  if (!OPAQUE_TOKEN_PATTERN.test(presented)) throw invalidRefreshToken();
  const nowMs = clock.now();
  const now = new Date(nowMs);
  const tokenHash = await sha256Hex(presented);

  if (!config.refreshTokenRotation) {
    // One indexed read on the primary; the session's "last used" is stamped at most once per
    // SESSION_TOUCH_INTERVAL_SECONDS (as Better Auth's updateAge), so most refreshes write nothing.
    const owner = await findUsableRefreshToken(db, tokenHash, now);
    if (!owner) throw invalidRefreshToken();
    const staleBefore = new Date(nowMs - config.sessionTouchIntervalSeconds * 1000);
    if (owner.lastUsedAt <= staleBefore) await touchSession(db, owner.sessionId, now, staleBefore);
    return { accessToken: await issueAccessToken(deps, keys, owner, nowMs) };
  }

  const nonce = toHex(deps.random(NONCE_BYTES));
  const successor = await deriveSuccessor(keys.current, nonce, presented);
  const result = await rotateRefreshToken(db, {
    tokenHash,
    nonce: rotationStamp(keys.current, nonce),
    successorHash: await sha256Hex(successor),
    now,
  });
  if (result.ok) {
    return {
      accessToken: await issueAccessToken(deps, keys, result.owner, nowMs),
      successor: { refreshToken: successor, expiresAt: result.owner.expiresAt },
    };
  }

  const state = result.state;
  if (!state?.usable || state.consumedAt === null || state.rotationNonce === null) {
    throw invalidRefreshToken();
  }
  if (nowMs - state.consumedAt.getTime() <= config.refreshTokenReuseGraceSeconds * 1000) {
    // Derived with the key that derived it first, so a signing-key rotation inside the window
    // still hands back the same successor.
    const stamp = readRotationStamp(keys, state.rotationNonce);
    if (!stamp) throw invalidRefreshToken();
    return {
      accessToken: await issueAccessToken(deps, keys, state, nowMs),
      successor: { refreshToken: await deriveSuccessor(stamp.key, stamp.nonce, presented), expiresAt: state.expiresAt },
    };
  }
  // Reuse after the grace window: someone holds a token they should not. End the family.
  await revokeSession(db, state.sessionId, now);
  emitSecurityEvent({ event: "refresh_token.reuse_detected", user_id: state.userId, session_id: state.sessionId });
  emitSecurityEvent({
    event: "session.ended",
    user_id: state.userId,
    session_id: state.sessionId,
    by: "reuse_detection",
    count: 1,
  });
  throw invalidRefreshToken();
}

/**
 * Revokes a refresh token and ends its family. Unknown and already-revoked tokens are a silent
 * no-op (RFC 7009 §2.2), and a second revoke keeps the first revoked_at.
 */
export async function revokeRefreshToken(deps: Deps, presented: string): Promise<void> {
  if (!OPAQUE_TOKEN_PATTERN.test(presented)) return;
  const ended = await revokeRefreshTokenFamily(deps.db, await sha256Hex(presented), new Date(deps.clock.now()));
  if (ended) {
    emitSecurityEvent({
      event: "session.ended",
      user_id: ended.userId,
      session_id: ended.sessionId,
      by: "revoke",
      count: 1,
    });
  }
}
