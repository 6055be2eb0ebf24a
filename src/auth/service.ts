// The auth rules: sign-up, credential changes, login, refresh, revoke and access-token checks.
// Combines the database, crypto and the clock; never sees Context, Request or Response.

import { requireJwtSecret } from "../config";
import type { Deps } from "../context";
import { sha256Hex, toHex } from "../crypto/bytes";
import { signAccessToken, verifyAccessToken } from "../crypto/jwt";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "../crypto/password";
import { findUserIdByRefreshTokenHash, insertRefreshToken, revokeRefreshTokenHash } from "../db/refresh-tokens";
import type { User } from "../db/schema";
import { findUserByEmail, findUserById, insertUser, setChirpyRed, updateUserCredentials } from "../db/users";
import { conflict, notFound, unauthorized } from "../errors";

export const REFRESH_TOKEN_BYTES = 32;
const REFRESH_TOKEN_PATTERN = /^[0-9a-f]{64}$/;
export const INCORRECT_CREDENTIALS = "Incorrect email or password";

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

export async function updateCredentials(deps: Deps, userId: string, input: Credentials): Promise<User> {
  const hashedPassword = await hashPassword(input.password, deps.random);
  const result = await updateUserCredentials(deps.db, userId, {
    email: input.email,
    hashedPassword,
    updatedAt: new Date(deps.clock.now()),
  });
  if ("conflict" in result) throw conflict("Email is already registered");
  if ("missing" in result) throw unauthorized();
  return result.user;
}

export interface LoginResult {
  user: User;
  accessToken: string;
  refreshToken: string;
}

/**
 * Checks credentials and issues an access token and a refresh token. An unknown email costs
 * one password hash too (against DUMMY_PASSWORD_HASH) and gets the same answer as a wrong
 * password, so neither the status nor the timing tells which emails exist.
 */
export async function login(deps: Deps, input: Credentials): Promise<LoginResult> {
  const { config, clock, db } = deps;
  const secret = requireJwtSecret(config);
  const user = await findUserByEmail(db, input.email);
  const passwordOk = await verifyPassword(input.password, user?.hashedPassword ?? DUMMY_PASSWORD_HASH);
  if (!user || !passwordOk) throw unauthorized(INCORRECT_CREDENTIALS);

  const nowMs = clock.now();
  const refreshToken = toHex(deps.random(REFRESH_TOKEN_BYTES));
  const now = new Date(nowMs);
  const [accessToken] = await Promise.all([
    signAccessToken(user.id, nowMs, { secret, issuer: config.jwtIssuer, ttlSeconds: config.accessTokenTtlSeconds }),
    insertRefreshToken(db, {
      tokenHash: await sha256Hex(refreshToken),
      userId: user.id,
      createdAt: now,
      updatedAt: now,
      expiresAt: new Date(nowMs + config.refreshTokenTtlSeconds * 1000),
    }),
  ]);
  return { user, accessToken, refreshToken };
}

/** Trades a live refresh token for a new access token; 401 when unknown, expired or revoked. */
export async function refreshAccessToken(deps: Deps, refreshToken: string): Promise<string> {
  const { config, clock, db } = deps;
  const secret = requireJwtSecret(config);
  // A token that cannot be one of ours is refused without a database round trip.
  if (!REFRESH_TOKEN_PATTERN.test(refreshToken)) throw unauthorized("Invalid refresh token");
  const nowMs = clock.now();
  const userId = await findUserIdByRefreshTokenHash(db, await sha256Hex(refreshToken), new Date(nowMs));
  if (!userId) throw unauthorized("Invalid refresh token");
  return signAccessToken(userId, nowMs, { secret, issuer: config.jwtIssuer, ttlSeconds: config.accessTokenTtlSeconds });
}

/**
 * Revokes a refresh token. Unknown and already-revoked tokens are a silent no-op (RFC 7009 §2.2),
 * and a second revoke keeps the first revoked_at.
 */
export async function revokeRefreshToken(deps: Deps, refreshToken: string): Promise<void> {
  if (!REFRESH_TOKEN_PATTERN.test(refreshToken)) return;
  await revokeRefreshTokenHash(deps.db, await sha256Hex(refreshToken), new Date(deps.clock.now()));
}

/** Returns the user behind a valid access token; 401 for any invalid token or a deleted user. */
export async function authenticate(deps: Deps, accessToken: string): Promise<User> {
  const { config, clock, db } = deps;
  const secret = requireJwtSecret(config);
  const userId = await verifyAccessToken(accessToken, clock.now(), { secret, issuer: config.jwtIssuer });
  if (!userId) throw unauthorized("Invalid or expired access token");
  const user = await findUserById(db, userId);
  if (!user) throw unauthorized("Invalid or expired access token");
  return user;
}

/** Polka's user.upgraded event: marks the user Chirpy Red; 404 for an unknown user. */
export async function upgradeToChirpyRed(deps: Deps, userId: string): Promise<void> {
  const updated = await setChirpyRed(deps.db, userId, new Date(deps.clock.now()));
  if (!updated) throw notFound("User not found");
}
