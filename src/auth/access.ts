// Access-token checks: the signature and claims (no database), or those plus the one lookup that
// proves the user exists and the session is live. Never sees Context, Request or Response.

import { readTokenHeader, type VerifiedAccessToken, verifyAccessToken } from "../crypto/jwt";
import type { User } from "../db/schema";
import { findUserInLiveSession } from "../db/sessions";
import type { Deps } from "../deps";
import { INVALID_ACCESS_TOKEN, invalidToken } from "../errors";
import { emitSecurityEvent } from "../ops/security-events";
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
export async function isSessionLive(deps: Deps, caller: { userId: string; sessionId: string }): Promise<boolean> {
  const now = new Date(deps.clock.now());
  return (await findUserInLiveSession(deps.db, caller.userId, caller.sessionId, now)) !== null;
}

/**
 * Checks an access token's signature and claims only, without the database. The caller must
 * then check the session in its own query (see createChirp), or use authenticate().
 */
export async function verifyAccess(deps: Deps, accessToken: string): Promise<VerifiedAccessToken> {
  const keys = await requireKeyRing(deps.config);
  const claims = await verifyAccessToken(accessToken, deps.clock.now(), { keys, issuer: deps.config.jwtIssuer });
  if (!claims) {
    // A well-formed token signed under a key we do not hold: a forgery, or a deployment whose
    // key was rotated out too early. Worth an operator's eye; other refusals are routine.
    const header = readTokenHeader(accessToken);
    if (header && (header.kid === null || !keys.byKid.has(header.kid))) {
      emitSecurityEvent({ event: "access_token.unknown_kid", kid: header.kid });
    }
    throw invalidToken(INVALID_ACCESS_TOKEN);
  }
  return claims;
}
