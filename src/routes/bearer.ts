// Reads "Authorization: <scheme> <credentials>" (the scheme is case-insensitive, RFC 9110 §11.1).

import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { authenticate, verifyAccess } from "../auth/service";
import type { AppEnv } from "../context";
import { MISSING_BEARER, unauthorized } from "../errors";

/** Returns the credentials for the given scheme, or null when missing, another scheme or empty. */
export function readAuthorization(c: Context, scheme: string): string | null {
  const header = c.req.header("Authorization");
  if (!header) return null;
  const match = /^(\S+) +(\S+) *$/.exec(header);
  if (!match || match[1].toLowerCase() !== scheme.toLowerCase()) return null;
  return match[2];
}

export function requireBearer(c: Context): string {
  const token = readAuthorization(c, "Bearer");
  if (!token) throw unauthorized(MISSING_BEARER);
  return token;
}

/** Authenticates the access token and puts the user and their session on the context. */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const { user, sessionId } = await authenticate(c.get("deps"), requireBearer(c));
  c.set("user", user);
  c.set("sessionId", sessionId);
  await next();
});

/**
 * Verifies the access token's signature and claims, without a database lookup, for handlers
 * whose own single query checks the session (the chirp insert).
 */
export const requireAccessToken = createMiddleware<AppEnv>(async (c, next) => {
  c.set("accessToken", await verifyAccess(c.get("deps"), requireBearer(c)));
  await next();
});
