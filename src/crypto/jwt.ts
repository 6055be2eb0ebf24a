// Access tokens: HS256 JWTs verified with hono/jwt and signed with Web Crypto under the key
// ring's ready CryptoKeys (crypto/keys.ts): no key is imported per token. The clock is ours, not
// Date.now(): hono's own time checks are switched off and redone here.

import { decode, verify } from "hono/jwt";
import { JwtTokenIssuer, JwtTokenSignatureMismatched } from "hono/utils/jwt/types";
import type { Caller } from "../caller";
import { toBase64Url } from "./bytes";
import type { KeyRing, SigningKey } from "./keys";

const encoder = new TextEncoder();

interface AccessTokenClaims {
  iss: string;
  sub: string;
  /** The session (login) the token belongs to: ending the session ends the token. */
  sid: string;
  /** How the session's login proved who it was (RFC 8176): ["pwd"], ["hwk"]… */
  amr: string[];
  iat: number;
  exp: number;
}

export interface SignOptions {
  key: SigningKey;
  issuer: string;
  ttlSeconds: number;
}

// The protected header is the same for every token a key signs: encoded once per key.
const headers = new WeakMap<SigningKey, string>();
const encodePart = (value: object) => toBase64Url(encoder.encode(JSON.stringify(value)));

function headerOf(key: SigningKey): string {
  let header = headers.get(key);
  if (header === undefined) {
    header = encodePart({ alg: "HS256", typ: "JWT", kid: key.kid });
    headers.set(key, header);
  }
  return header;
}

/** Signs an access token for a user's session, valid for ttlSeconds from nowMs. */
export async function signAccessToken(
  userId: string,
  sessionId: string,
  nowMs: number,
  options: SignOptions,
  amr: string[] = ["pwd"],
): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  const claims: AccessTokenClaims = {
    iss: options.issuer,
    sub: userId,
    sid: sessionId,
    amr,
    iat,
    exp: iat + options.ttlSeconds,
  };
  // hono/jwt's sign() writes a kid only for a JWK, which it imports on every call; the JWS
  // compact form (RFC 7515 §7.1), HMAC-SHA256 by Web Crypto under the ready key, is the same
  // token without the import. Unpadded base64url, as RFC 7515 §2 requires (hono's pads).
  const signingInput = `${headerOf(options.key)}.${encodePart(claims)}`;
  const signature = await crypto.subtle.sign("HMAC", options.key.cryptoKey, encoder.encode(signingInput));
  return `${signingInput}.${toBase64Url(new Uint8Array(signature))}`;
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
