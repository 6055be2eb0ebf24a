// Authorization headers: "Authorization: <scheme> <credentials>" (the scheme is case-insensitive,
// RFC 9110 §11.1), and the middleware that checks access tokens and types what it sets.

import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { type Authenticated, authenticate, verifyAccess } from "../auth/access";
import type { Caller } from "../caller";
import { MISSING_BEARER, unauthorized } from "../errors";
import type { User } from "../users/service";
import type { AppEnv } from "./context";

/** Returns the credentials for the given scheme, or null when missing, another scheme or empty. */
export function readAuthorization(c: Context, scheme: string): string | null {
  const header = c.req.header("Authorization");
  if (!header) return null;
  const match = /^(\S+) +(\S+) *$/.exec(header);
  if (!match || match[1].toLowerCase() !== scheme.toLowerCase()) return null;
  return match[2];
}

function requireBearer(c: Context): string {
  const token = readAuthorization(c, "Bearer");
  if (!token) throw unauthorized(MISSING_BEARER);
  return token;
}

type WithUser = AppEnv & { Variables: { user: User; sessionId: Authenticated["sessionId"] } };
type WithAccessToken = AppEnv & { Variables: { accessToken: Caller } };

/** Authenticates the access token (one lookup: user exists, session live); sets user and sessionId. */
export const requireUser = createMiddleware<WithUser>(async (c, next) => {
  const { user, sessionId } = await authenticate(c.get("deps"), requireBearer(c));
  c.set("user", user);
  c.set("sessionId", sessionId);
  await next();
});

/**
 * Verifies the access token's signature and claims only, for handlers whose one statement
 * carries the session check itself (chirp create and delete, session ends); sets accessToken.
 */
export const requireAccessToken = createMiddleware<WithAccessToken>(async (c, next) => {
  c.set("accessToken", await verifyAccess(c.get("deps"), requireBearer(c)));
  await next();
});
