// The account rules: sign-up, credential changes, login with brute-force limits, access-token
// checks, and the Polka upgrade. Combines the database, crypto and the clock; never sees
// Context, Request or Response.

import type { Deps } from "../context";
import { sha256Hex } from "../crypto/bytes";
import { readTokenHeader, type VerifiedAccessToken, verifyAccessToken } from "../crypto/jwt";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "../crypto/password";
import { type AttemptCount, attemptKey, reserveAttemptStatement } from "../db/login-attempts";
import type { User } from "../db/schema";
import { findUserInLiveSession, openSessionIfCredentialsUnchanged } from "../db/sessions";
import { insertUser, selectUserByEmail, setChirpyRed, updateUserCredentials } from "../db/users";
import {
  conflict,
  EMAIL_TAKEN,
  INCORRECT_CREDENTIALS,
  INVALID_ACCESS_TOKEN,
  invalidToken,
  notFound,
  TOO_MANY_LOGINS,
  TOO_MANY_SIGNUPS,
  tooManyRequests,
  unauthorized,
} from "../errors";
import { emitSecurityEvent } from "../ops/security-events";
import { networkKeyOf } from "./network";
import { issueAccessToken, newRefreshToken, requireKeyRing } from "./tokens";

export { INCORRECT_CREDENTIALS };
export const MAX_USER_AGENT_LENGTH = 256;

export interface Credentials {
  /** Already normalized (see normalizeEmail). */
  email: string;
  password: string;
}

export interface ClientMeta {
  /** CF-Connecting-IP; absent locally, where per-IP limits do not apply. */
  ip: string | null;
}

/** The key of a client's network in the attempt counters: IPv4 address, or IPv6 /64. */
const networkKey = (kind: "ip" | "signup", ip: string | null) =>
  attemptKey(kind, (ip && networkKeyOf(ip)) ?? "unknown");

/**
 * Signs a user up. Each sign-up is counted per client network (IPv6 by /64) before anything is
 * hashed, so the endpoint is no unlimited PBKDF2 oracle: past SIGNUP_MAX_PER_IP in the window the
 * answer is 429. A taken email is a 409 without hashing (the contract's 409 reveals it anyway).
 */
export async function createUser(deps: Deps, input: Credentials, meta: ClientMeta): Promise<User> {
  const { config, clock, db } = deps;
  const nowMs = clock.now();
  const now = new Date(nowMs);
  const windowMs = config.signupWindowSeconds * 1000;
  const [[attempts], [existing]] = await db.batch([
    reserveAttemptStatement(db, networkKey("signup", meta.ip), now, windowMs),
    selectUserByEmail(db, input.email),
  ]);
  const retryAfter = meta.ip ? overLimit(attempts, config.signupMaxPerIp, windowMs, nowMs) : 0;
  if (retryAfter > 0) {
    emitSecurityEvent({ event: "signup.rate_limited", retry_after: retryAfter, ip: meta.ip });
    throw tooManyRequests(TOO_MANY_SIGNUPS, retryAfter);
  }
  if (existing) throw conflict(EMAIL_TAKEN);

  const user = await insertUser(db, {
    id: crypto.randomUUID(),
    createdAt: now,
    updatedAt: now,
    email: input.email,
    hashedPassword: await hashPassword(input.password, deps.random),
  });
  if (!user) throw conflict(EMAIL_TAKEN);
  emitSecurityEvent({ event: "signup.succeeded", user_id: user.id, ip: meta.ip });
  return user;
}

/**
 * Sets a user's email and password. A new password ends every session of the user, their
 * access tokens included (ASVS 7.4.3); the same password with a new email ends none. The
 * update lands only while the caller's session is live: a session ended mid-request (log out
 * everywhere from another device) stops it with a 401.
 */
export async function updateCredentials(deps: Deps, caller: Authenticated, input: Credentials): Promise<User> {
  const { user, sessionId } = caller;
  const samePassword = await verifyPassword(input.password, user.hashedPassword);
  const hashedPassword = samePassword ? user.hashedPassword : await hashPassword(input.password, deps.random);
  const result = await updateUserCredentials(deps.db, {
    userId: user.id,
    sessionId,
    email: input.email,
    hashedPassword,
    passwordChanged: !samePassword,
    now: new Date(deps.clock.now()),
  });
  if ("conflict" in result) throw conflict(EMAIL_TAKEN);
  if ("sessionEnded" in result) throw invalidToken(INVALID_ACCESS_TOKEN);
  emitSecurityEvent({
    event: "credentials.changed",
    user_id: user.id,
    session_id: sessionId,
    password_changed: !samePassword,
    email_changed: result.user.email !== user.email,
  });
  if (result.sessionsEnded > 0) {
    emitSecurityEvent({
      event: "session.ended",
      user_id: user.id,
      session_id: null,
      by: "password_change",
      count: result.sessionsEnded,
    });
  }
  return result.user;
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
  const ipRetry = meta.ip ? overLimit(ipAttempts, config.loginMaxFailuresPerIp, windowMs, nowMs) : 0;
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

/** Seconds until the next attempt is allowed, or 0 when under the limit. */
function overLimit(attempts: AttemptCount | undefined, limit: number, windowMs: number, nowMs: number): number {
  if (!attempts || attempts.count <= limit) return 0;
  return Math.max(1, Math.ceil((attempts.windowStart.getTime() + windowMs - nowMs) / 1000));
}

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

/** Polka's user.upgraded event: marks the user Chirpy Red; 404 for an unknown user. */
export async function upgradeToChirpyRed(deps: Deps, userId: string): Promise<void> {
  const updated = await setChirpyRed(deps.db, userId, new Date(deps.clock.now()));
  if (!updated) {
    emitSecurityEvent({ event: "webhook.rejected", reason: "unknown_user" });
    throw notFound("User not found");
  }
}
