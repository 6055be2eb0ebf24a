// The account rules: sign-up, credential changes, login with brute-force limits, access-token
// checks, and the Polka upgrade. Combines the database, crypto and the clock; never sees
// Context, Request or Response.

import type { Deps } from "../context";
import { sha256Hex } from "../crypto/bytes";
import { type VerifiedAccessToken, verifyAccessToken } from "../crypto/jwt";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "../crypto/password";
import {
  type AttemptCount,
  clearAttemptsStatement,
  releaseAttemptStatement,
  reserveAttemptStatement,
} from "../db/login-attempts";
import type { User } from "../db/schema";
import { findUserInLiveSession, insertSessionStatements, revokeAllSessionsStatement } from "../db/sessions";
import { insertUser, selectUserByEmail, setChirpyRed, updateUserCredentials } from "../db/users";
import { conflict, notFound, tooManyRequests, unauthorized } from "../errors";
import { issueAccessToken, newRefreshToken, requireKeyRing } from "./tokens";

export const INCORRECT_CREDENTIALS = "Incorrect email or password";
export const MAX_USER_AGENT_LENGTH = 256;

export interface Credentials {
  /** Already normalized (see normalizeEmail). */
  email: string;
  password: string;
}

export async function createUser(deps: Deps, input: Credentials): Promise<User> {
  const hashedPassword = await hashPassword(input.password, deps.random);
  const now = new Date(deps.clock.now());
  const user = await insertUser(deps.db, {
    id: crypto.randomUUID(),
    createdAt: now,
    updatedAt: now,
    email: input.email,
    hashedPassword,
  });
  if (!user) throw conflict("Email is already registered");
  return user;
}

/**
 * Sets a user's email and password. A new password ends every session of the user, their
 * access tokens included (ASVS 7.4.3); the same password with a new email ends none.
 */
export async function updateCredentials(deps: Deps, user: User, input: Credentials): Promise<User> {
  const now = new Date(deps.clock.now());
  const samePassword = await verifyPassword(input.password, user.hashedPassword);
  const hashedPassword = samePassword ? user.hashedPassword : await hashPassword(input.password, deps.random);
  const result = await updateUserCredentials(
    deps.db,
    user.id,
    { email: input.email, hashedPassword, updatedAt: now },
    samePassword ? [] : [revokeAllSessionsStatement(deps.db, user.id, now)],
  );
  if ("conflict" in result) throw conflict("Email is already registered");
  if ("missing" in result) throw unauthorized();
  return result.user;
}

export interface LoginMeta {
  /** CF-Connecting-IP; absent locally, where only the per-email limit applies. */
  ip: string | null;
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
  const emailKey = `email:${await sha256Hex(input.email)}`;
  const ipKey = `ip:${meta.ip ?? "unknown"}`;

  const [[emailAttempts], [ipAttempts], [user]] = await db.batch([
    reserveAttemptStatement(db, emailKey, now, windowMs),
    reserveAttemptStatement(db, ipKey, now, windowMs),
    selectUserByEmail(db, input.email),
  ]);
  const retryAfter = Math.max(
    overLimit(emailAttempts, config.loginMaxFailuresPerEmail, windowMs, nowMs),
    meta.ip ? overLimit(ipAttempts, config.loginMaxFailuresPerIp, windowMs, nowMs) : 0,
  );
  if (retryAfter > 0) throw tooManyRequests(retryAfter);

  const passwordOk = await verifyPassword(input.password, user?.hashedPassword ?? DUMMY_PASSWORD_HASH);
  if (!user || !passwordOk) throw unauthorized(INCORRECT_CREDENTIALS);

  const sessionId = crypto.randomUUID();
  const refreshToken = newRefreshToken(deps);
  const expiresAt = new Date(nowMs + config.refreshTokenTtlSeconds * 1000);
  const [accessToken, tokenHash] = await Promise.all([
    issueAccessToken(deps, keys, user.id, sessionId, nowMs),
    sha256Hex(refreshToken),
  ]);
  await db.batch([
    ...insertSessionStatements(
      db,
      {
        id: sessionId,
        userId: user.id,
        createdAt: now,
        lastUsedAt: now,
        expiresAt,
        userAgent: meta.userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null,
      },
      { tokenHash, userId: user.id, sessionId, createdAt: now, updatedAt: now, expiresAt },
    ),
    clearAttemptsStatement(db, emailKey),
    releaseAttemptStatement(db, ipKey),
  ]);
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
  if (!user) throw unauthorized("Invalid or expired access token");
  return { user, sessionId: claims.sessionId };
}

/**
 * Checks an access token's signature and claims only, without the database. The caller must
 * then check the session in its own query (see createChirp), or use authenticate().
 */
export async function verifyAccess(deps: Deps, accessToken: string): Promise<VerifiedAccessToken> {
  const keys = await requireKeyRing(deps.config);
  const claims = await verifyAccessToken(accessToken, deps.clock.now(), { keys, issuer: deps.config.jwtIssuer });
  if (!claims) throw unauthorized("Invalid or expired access token");
  return claims;
}

/** Polka's user.upgraded event: marks the user Chirpy Red; 404 for an unknown user. */
export async function upgradeToChirpyRed(deps: Deps, userId: string): Promise<void> {
  const updated = await setChirpyRed(deps.db, userId, new Date(deps.clock.now()));
  if (!updated) throw notFound("User not found");
}
