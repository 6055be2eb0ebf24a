// Token issuing shared by login and refresh: the key ring (fails closed without a strong
// JWT_SECRET) and access tokens bound to a session.

import { type Config, requireJwtSecret } from "../config";
import type { Deps } from "../context";
import { fromHex, hmacSha256Hex, toHex } from "../crypto/bytes";
import { type KeyRing, keyRingFor, signAccessToken } from "../crypto/jwt";

export const REFRESH_TOKEN_BYTES = 32;
export const REFRESH_TOKEN_PATTERN = /^[0-9a-f]{64}$/;

/** The signing and verifying keys; a 500 (logged) when JWT_SECRET is missing or weak. */
export function requireKeyRing(config: Config): Promise<KeyRing> {
  return keyRingFor(requireJwtSecret(config), config.jwtPreviousSecrets);
}

export function issueAccessToken(deps: Deps, keys: KeyRing, userId: string, sessionId: string, nowMs: number) {
  return signAccessToken(userId, sessionId, nowMs, {
    key: keys.current,
    issuer: deps.config.jwtIssuer,
    ttlSeconds: deps.config.accessTokenTtlSeconds,
  });
}

/** 32 random bytes, lowercase hex. */
export const newRefreshToken = (deps: Deps) => toHex(deps.random(REFRESH_TOKEN_BYTES));

/**
 * The successor of a rotated token: HMAC(nonce, presented token). The nonce is stored with the
 * consumed row, the presented token is not, so a read of the database cannot derive a live token,
 * while a client retrying with the same token inside the grace window gets the same successor.
 */
export const deriveSuccessor = (nonceHex: string, presented: string) => hmacSha256Hex(fromHex(nonceHex), presented);
