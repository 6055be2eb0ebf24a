// Login: checks credentials under brute-force limits and opens a session with an access token
// and a refresh token. Never sees Context, Request or Response.

import { sha256Hex } from "../crypto/bytes";
import { DUMMY_PASSWORD_HASH, verifyPassword } from "../crypto/password";
import { attemptKey, reserveAttemptStatement } from "../db/login-attempts";
import type { User } from "../db/schema";
import { openSessionIfCredentialsUnchanged } from "../db/sessions";
import { selectUserByEmail } from "../db/users";
import type { Deps } from "../deps";
import { INCORRECT_CREDENTIALS, TOO_MANY_LOGINS, tooManyRequests, unauthorized } from "../errors";
import { emitSecurityEvent } from "../ops/security-events";
import { type ClientMeta, networkKey, overLimit, overNetworkLimit } from "./limits";
import { issueAccessToken, newRefreshToken, requireKeyRing } from "./tokens";

const MAX_USER_AGENT_LENGTH = 256;

export interface Credentials {
  /** Already normalized (see normalizeEmail). */
  email: string;
  password: string;
}

export interface LoginMeta extends ClientMeta {
  userAgent: string | null;
}

export interface LoginResult {
  user: User;
  sessionId: string;
  accessToken: string;
  refreshToken: string;
}

/**
 * Checks credentials and opens a session with an access token and a refresh token.
 * - Brute force: the attempt is counted per email and per IP before any hashing, in the same
 *   round trip as the user lookup; past a limit the answer is 429 without running the hash, the
 *   same for known and unknown emails. A success clears the email's count.
 * - Enumeration: an unknown email costs one hash too (against DUMMY_PASSWORD_HASH) and gets the
 *   same answer as a wrong password.
 */
export async function login(deps: Deps, input: Credentials, meta: LoginMeta): Promise<LoginResult> {
  const { config, clock, db } = deps;
  const keys = await requireKeyRing(config);
  const nowMs = clock.now();
  const now = new Date(nowMs);
  const windowMs = config.loginFailureWindowSeconds * 1000;
  // Keyed on a digest so the table holds no email addresses of strangers.
  const emailKey = attemptKey("email", await sha256Hex(input.email));
  const ipKey = networkKey("ip", meta.ip);

  const [[emailAttempts], [ipAttempts], [user]] = await db.batch([
    reserveAttemptStatement(db, emailKey, now, windowMs),
    reserveAttemptStatement(db, ipKey, now, windowMs),
    selectUserByEmail(db, input.email),
  ]);
  const emailRetry = overLimit(emailAttempts, config.loginMaxFailuresPerEmail, windowMs, nowMs);
  const ipRetry = overNetworkLimit(meta, ipAttempts, config.loginMaxFailuresPerIp, windowMs, nowMs);
  const retryAfter = Math.max(emailRetry, ipRetry);
  if (retryAfter > 0) {
    const limit = emailRetry >= ipRetry ? "email" : "ip";
    emitSecurityEvent({ event: "login.rate_limited", limit, retry_after: retryAfter, ip: meta.ip });
    throw tooManyRequests(TOO_MANY_LOGINS, retryAfter);
  }

  const passwordOk = await verifyPassword(input.password, user?.hashedPassword ?? DUMMY_PASSWORD_HASH);
  if (!user || !passwordOk) {
    const reason = user ? "wrong_password" : "unknown_email";
    emitSecurityEvent({ event: "login.failed", user_id: user?.id ?? null, reason, ip: meta.ip });
    throw unauthorized(INCORRECT_CREDENTIALS);
  }

  const sessionId = crypto.randomUUID();
  const refreshToken = newRefreshToken(deps);
  const [accessToken, refreshTokenHash] = await Promise.all([
    issueAccessToken(deps, keys, user.id, sessionId, nowMs),
    sha256Hex(refreshToken),
  ]);
  // The session is written only if the hash just verified is still the user's: a password
  // change (or account deletion) that landed while this login was hashing leaves nothing behind.
  const opened = await openSessionIfCredentialsUnchanged(db, {
    id: sessionId,
    userId: user.id,
    now,
    expiresAt: new Date(nowMs + config.refreshTokenTtlSeconds * 1000),
    userAgent: meta.userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null,
    refreshTokenHash,
    verifiedPasswordHash: user.hashedPassword,
    clearAttemptKey: emailKey,
    releaseAttemptKey: ipKey,
  });
  if (!opened) {
    emitSecurityEvent({ event: "login.failed", user_id: user.id, reason: "credentials_changed", ip: meta.ip });
    throw unauthorized(INCORRECT_CREDENTIALS);
  }
  emitSecurityEvent({ event: "login.succeeded", user_id: user.id, session_id: sessionId, ip: meta.ip });
  return { user, sessionId, accessToken, refreshToken };
}
