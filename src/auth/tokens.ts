// Token issuing shared by login and refresh: the key ring (fails closed without a strong
// JWT_SECRET) and access tokens bound to a session.

import { type Config, requireJwtSecret } from "../config";
import { toHex } from "../crypto/bytes";
import { signAccessToken } from "../crypto/jwt";
import { type KeyRing, keyRingFor, type SigningKey } from "../crypto/keys";
import type { Deps } from "../deps";

const OPAQUE_TOKEN_BYTES = 32;
const encoder = new TextEncoder();
/** Refresh, password-reset and verification tokens: 32 random bytes as 64 lowercase hex. */
export const OPAQUE_TOKEN_PATTERN = /^[0-9a-f]{64}$/;

// A config is parsed once per isolate (deps.ts), so its key ring is assembled once too.
const keyRings = new WeakMap<Config, Promise<KeyRing>>();

/** The signing and verifying keys; a 500 (logged) when JWT_SECRET is missing or weak. */
export function requireKeyRing(config: Config): Promise<KeyRing> {
  let ring = keyRings.get(config);
  if (!ring) {
    ring = keyRingFor(requireJwtSecret(config), config.jwtPreviousSecrets);
    keyRings.set(config, ring);
  }
  return ring;
}

/** An access token of a session, carrying the session's `amr` (its space-separated RFC 8176 values). */
export function issueAccessToken(
  deps: Deps,
  keys: KeyRing,
  session: { userId: string; sessionId: string; amr: string },
  nowMs: number,
) {
  const options = { key: keys.current, issuer: deps.config.jwtIssuer, ttlSeconds: deps.config.accessTokenTtlSeconds };
  return signAccessToken(session.userId, session.sessionId, nowMs, options, session.amr.split(" "));
}

/** A new opaque token (see OPAQUE_TOKEN_PATTERN). */
export const newOpaqueToken = (deps: Deps) => toHex(deps.random(OPAQUE_TOKEN_BYTES));

/**
 * The successor of a rotated token: HMAC(K, nonce.presented), K derived from the signing secret
 * (HKDF, its own label). The consumed row keeps "<kid>.<nonce>"; the presented token is not
 * stored. A client retrying with the same token inside the grace window gets the same successor,
 * while a read of the database (nonces, hashes) plus spent tokens derives nothing without K.
 */
export async function deriveSuccessor(key: SigningKey, nonceHex: string, presented: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", key.successorKey, encoder.encode(`${nonceHex}.${presented}`));
  return toHex(new Uint8Array(mac));
}

/** What the consumed row stores: which key derived the successor, and the nonce. */
export const rotationStamp = (key: SigningKey, nonceHex: string) => `${key.kid}.${nonceHex}`;

/**
 * The key and nonce of a consumed row's stamp, or null when the key is no longer in the ring or
 * the stamp predates keyed derivation (a bare nonce, from before this release): such a row's
 * successor cannot be derived again, so its grace retry is refused.
 */
export function readRotationStamp(keys: KeyRing, stamp: string): { key: SigningKey; nonce: string } | null {
  const [kid, nonce, ...rest] = stamp.split(".");
  const key = keys.byKid.get(kid);
  if (!key || nonce === undefined || rest.length > 0) return null;
  return { key, nonce };
}
