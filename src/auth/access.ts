// Access-token checks: the signature and claims (no database), or those plus the one lookup that
// proves the user exists and the session is live. Never sees Context, Request or Response.

import type { Caller } from "../caller";
import { verifyAccessToken } from "../crypto/jwt";
import type { User } from "../db/schema";
import { findUserInLiveSession } from "../db/sessions";
import type { Deps } from "../deps";
import { INVALID_ACCESS_TOKEN, invalidToken } from "../errors";
import { emitThrottledSecurityEvent } from "../events";
import { requireKeyRing } from "./tokens";

export interface Authenticated {
  user: User;
  sessionId: string;
}

/**
 * Returns the user and session behind a valid access token; 401 for any invalid token, a
 * deleted user, or a session that was ended (revoke, log out, password change).
 */
export async function authenticate(deps: Deps, accessToken: string): Promise<Authenticated> {
  const claims = await verifyAccess(deps, accessToken);
  const user = await findUserInLiveSession(deps.db, claims.userId, claims.sessionId, new Date(deps.clock.now()));
  if (!user) throw invalidToken(INVALID_ACCESS_TOKEN);
  return { user, sessionId: claims.sessionId };
}

/** Whether a session of a user is live now (to tell a 401 from a 404 after a refused write). */
export async function isSessionLive(deps: Deps, caller: Caller): Promise<boolean> {
  const now = new Date(deps.clock.now());
  return (await findUserInLiveSession(deps.db, caller.userId, caller.sessionId, now)) !== null;
}

/**
 * Checks an access token's signature and claims only, without the database. The caller must
 * then check the session in its own query (see createChirp), or use authenticate().
 */
export async function verifyAccess(deps: Deps, accessToken: string): Promise<Caller> {
  const keys = await requireKeyRing(deps.config);
  const nowMs = deps.clock.now();
  const result = await verifyAccessToken(accessToken, nowMs, { keys, issuer: deps.config.jwtIssuer });
  if (result.ok) return { userId: result.userId, sessionId: result.sessionId };
  // Worth an operator's eye: a key we do not hold (a forgery, or a key rotated out too early), or
  // a token under our key that fails its checks. Expired and malformed tokens are routine.
  switch (result.reason) {
    case "malformed":
    case "expired":
      break;
    case "unknown_kid":
      emitThrottledSecurityEvent({ event: "access_token.unknown_kid", kid: result.kid }, nowMs);
      break;
    default:
      emitThrottledSecurityEvent({ event: "access_token.invalid", kid: result.kid, reason: result.reason }, nowMs);
  }
  throw invalidToken(INVALID_ACCESS_TOKEN);
}
