// Access tokens: HS256 JWTs signed and verified with hono/jwt (Web Crypto underneath).
// Each signing secret is named by a `kid` derived from it (not the secret), so a rotated-out
// secret can keep verifying (JWT_PREVIOUS_SECRETS) while only the current one signs.
// The clock is ours, not Date.now(): hono's own time checks are switched off and redone here.

import { decode, sign, verify } from "hono/jwt";
import { JwtTokenIssuer, JwtTokenSignatureMismatched } from "hono/utils/jwt/types";
import type { Caller } from "../caller";
import { toBase64Url } from "./bytes";

interface AccessTokenClaims {
  iss: string;
  sub: string;
  /** The session (login) the token belongs to: ending the session ends the token. */
  sid: string;
  iat: number;
  exp: number;
}

export interface SigningKey {
  kid: string;
  secret: string;
  cryptoKey: CryptoKey;
  /** Derives rotated refresh tokens (see successorKeyFor); HMAC-SHA256, sign only. */
  successorKey: CryptoKey;
}

export interface KeyRing {
  current: SigningKey;
  byKid: Map<string, SigningKey>;
}

const encoder = new TextEncoder();
const HMAC_SHA256 = { name: "HMAC", hash: "SHA-256" } as const;

// Secrets are fixed for an isolate's life: derive each key's kid and CryptoKey once.
const keyCache = new Map<string, Promise<SigningKey>>();

async function deriveKey(secret: string): Promise<SigningKey> {
  const cryptoKey = await crypto.subtle.importKey("raw", encoder.encode(secret), HMAC_SHA256, false, [
    "sign",
    "verify",
  ]);
  // An HMAC of a fixed label under the key: stable, and reveals nothing about the secret.
  const mac = await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode("chirpy-edge kid v1"));
  return {
    kid: toBase64Url(new Uint8Array(mac).slice(0, 12)),
    secret,
    cryptoKey,
    successorKey: await successorKeyFor(secret),
  };
}

/**
 * The key that derives a rotated refresh token's successor: HKDF-SHA256 (RFC 5869) of the signing
 * secret under its own label, so it is independent of the signing key and, like the secret, never
 * stored in D1. A database read plus any number of spent tokens therefore derives nothing.
 */
async function successorKeyFor(secret: string): Promise<CryptoKey> {
  const ikm = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: encoder.encode("chirpy-edge"),
      info: encoder.encode("refresh-token successor v1"),
    },
    ikm,
    { ...HMAC_SHA256, length: 256 },
    false,
    ["sign"],
  );
}

export function signingKeyFor(secret: string): Promise<SigningKey> {
  let key = keyCache.get(secret);
  if (!key) {
    key = deriveKey(secret);
    keyCache.set(secret, key);
  }
  return key;
}

/** The current key signs; it and the previous ones verify. */
export async function keyRingFor(current: string, previous: string[]): Promise<KeyRing> {
  const keys = await Promise.all([current, ...previous].map(signingKeyFor));
  return { current: keys[0], byKid: new Map(keys.map((key) => [key.kid, key])) };
}

export interface SignOptions {
  key: SigningKey;
  issuer: string;
  ttlSeconds: number;
}

/** Signs an access token for a user's session, valid for ttlSeconds from nowMs. */
export async function signAccessToken(
  userId: string,
  sessionId: string,
  nowMs: number,
  options: SignOptions,
): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  const claims: AccessTokenClaims = {
    iss: options.issuer,
    sub: userId,
    sid: sessionId,
    iat,
    exp: iat + options.ttlSeconds,
  };
  // hono/jwt writes `kid` into the header when given a JWK.
  const jwk = { kty: "oct", k: toBase64Url(encoder.encode(options.key.secret)), alg: "HS256", kid: options.key.kid };
  return sign({ ...claims }, jwk, "HS256");
}

/**
 * Why a token was refused. "malformed": not a JWT at all; "unknown_kid": no kid, or one we do not
 * hold; the rest were presented under one of our kids: a wrong alg ("none", HS512…), a bad
 * signature, another issuer, no exp, an exp in the past, or no sub/sid.
 */
export type AccessTokenRefusal =
  | { reason: "malformed" }
  | { reason: "unknown_kid"; kid: string | null }
  | { reason: "alg" | "signature" | "issuer" | "exp_missing" | "expired" | "claims"; kid: string };

/** Only a short base64url kid is ever reported, so it is safe to log. */
const loggableKid = (kid: unknown) => (typeof kid === "string" && /^[A-Za-z0-9_-]{1,32}$/.test(kid) ? kid : null);

/**
 * Verifies an access token: the user and session it names, or why it was refused. Valid means:
 * a `kid` naming one of our keys, HS256 only (the alg is pinned, so "none" and every other alg
 * fail), a good signature under that key, the expected issuer, an `exp` that is present and in the
 * future (hono accepts a missing exp; RFC 8725 §3.10 says don't), and `sub` and `sid` strings.
 * Never logs or returns hono's error messages: they contain the token.
 */
export async function verifyAccessToken(
  token: string,
  nowMs: number,
  options: { keys: KeyRing; issuer: string },
): Promise<({ ok: true } & Caller) | ({ ok: false } & AccessTokenRefusal)> {
  let header: { alg?: unknown; kid?: unknown };
  try {
    header = decode(token).header as typeof header;
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const key = typeof header.kid === "string" ? options.keys.byKid.get(header.kid) : undefined;
  if (!key) return { ok: false, reason: "unknown_kid", kid: loggableKid(header.kid) };
  const refused = (reason: "alg" | "signature" | "issuer" | "exp_missing" | "expired" | "claims") =>
    ({ ok: false, reason, kid: key.kid }) as const;
  if (header.alg !== "HS256") return refused("alg");
  let payload: Record<string, unknown>;
  try {
    payload = await verify(token, key.cryptoKey, {
      alg: "HS256",
      iss: options.issuer,
      exp: false,
      nbf: false,
      iat: false,
    });
  } catch (error) {
    if (error instanceof JwtTokenIssuer) return refused("issuer");
    if (error instanceof JwtTokenSignatureMismatched) return refused("signature");
    return { ok: false, reason: "malformed" };
  }
  const { exp, sub, sid, iss } = payload;
  if (iss !== options.issuer) return refused("issuer");
  if (typeof exp !== "number" || !Number.isFinite(exp)) return refused("exp_missing");
  if (exp <= Math.floor(nowMs / 1000)) return refused("expired");
  if (typeof sub !== "string" || sub === "" || typeof sid !== "string" || sid === "") return refused("claims");
  return { ok: true, userId: sub, sessionId: sid };
}
