// Access tokens: HS256 JWTs signed and verified with hono/jwt (Web Crypto underneath).
// The clock is ours, not Date.now(): hono's own time checks are switched off and redone here.

import { sign, verify } from "hono/jwt";

export interface AccessTokenClaims {
  iss: string;
  sub: string;
  iat: number;
  exp: number;
}

export interface AccessTokenOptions {
  secret: string;
  issuer: string;
  ttlSeconds: number;
}

/** Signs an access token for a user, valid for ttlSeconds from nowMs. */
export async function signAccessToken(userId: string, nowMs: number, options: AccessTokenOptions): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  const claims: AccessTokenClaims = { iss: options.issuer, sub: userId, iat, exp: iat + options.ttlSeconds };
  return sign({ ...claims }, options.secret, "HS256");
}

/**
 * Returns the user id of a valid access token, or null. Valid means: HS256 only (the alg is
 * pinned, so "none" and every other alg fail), a good signature, the expected issuer, and an
 * `exp` that is present and in the future (hono accepts a missing exp; RFC 8725 §3.10 says don't).
 * Never logs or returns hono's error messages: they contain the token.
 */
export async function verifyAccessToken(
  token: string,
  nowMs: number,
  options: Omit<AccessTokenOptions, "ttlSeconds">,
): Promise<string | null> {
  let payload: Record<string, unknown>;
  try {
    payload = await verify(token, options.secret, {
      alg: "HS256",
      iss: options.issuer,
      exp: false,
      nbf: false,
      iat: false,
    });
  } catch {
    return null;
  }
  const { exp, sub, iss } = payload;
  if (iss !== options.issuer) return null;
  if (typeof exp !== "number" || !Number.isFinite(exp) || exp <= Math.floor(nowMs / 1000)) return null;
  if (typeof sub !== "string" || sub === "") return null;
  return sub;
}
