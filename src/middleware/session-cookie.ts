// Cookie mode, for browser apps: with the request header `X-Chirpy-Session: cookie` the refresh
// token travels in an HttpOnly cookie that no script can read, and the access token stays in the
// page's memory. Bearer mode (no header) answers exactly as it always has.
//
// The cookie is `__Host-chirpy_refresh`: Secure, HttpOnly, SameSite=Strict, Path=/, no Domain.
// The __Host- prefix makes the browser refuse it unless it came from this exact host over a secure
// channel with no Domain, so a sibling subdomain cannot plant or overwrite it (cookie tossing);
// a narrower Path would not be a boundary anyway (any page of the origin can read another path's
// responses). SameSite=Strict: no request started by another site carries it.
//
// The cookie is honoured only with the custom header (which no HTML form or simple request can
// send, so a browser preflights any cross-origin attempt) and proof of where the request comes
// from: an Origin that is this API's own or one listed in CORS_ORIGINS, or, without an Origin,
// `Sec-Fetch-Site: same-origin`; `Sec-Fetch-Site: cross-site` is refused whatever the Origin says.
// Browsers send Origin on every POST, so only a request that hides where it comes from lacks both.
// A request that carries the cookie without them is refused (403) and changes nothing: that is
// what a cross-site form post or a sibling origin's page looks like.

import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import * as v from "valibot";
import { DEVICE_COOKIE_SECONDS } from "../auth/device";
import { COOKIE_MODE_ORIGIN_REFUSED, COOKIE_NEEDS_SESSION_HEADER, forbidden, invalidField } from "../errors";
import type { AppEnv } from "./context";
import { readAuthorization } from "./require-auth";
import { carrying, parseWith } from "./validation";

export const SESSION_HEADER = "X-Chirpy-Session";
const COOKIE = "chirpy_refresh";
/** The cookie's full name as the browser stores it. */
export const REFRESH_COOKIE = `__Host-${COOKIE}`;

const headerSchema = v.object({
  "x-chirpy-session": v.optional(
    v.pipe(
      v.picklist(["cookie"], invalidField.notOneOf(SESSION_HEADER, ["cookie"])),
      v.description(
        `"cookie": the refresh token is set as the HttpOnly cookie ${REFRESH_COOKIE} instead of returned in the body, and refresh/revoke read it from there`,
      ),
    ),
  ),
});

export type SessionModeEnv = AppEnv & { Variables: { cookieMode: boolean } };

/**
 * Reads `X-Chirpy-Session` (documented as the operation's header parameter) and, in cookie mode,
 * refuses a foreign Origin; sets `cookieMode`.
 */
export const sessionMode = carrying(
  createMiddleware<SessionModeEnv>(async (c, next) => {
    const value = c.req.header(SESSION_HEADER);
    // Bearer mode (no header) is every Chirpy client's path: no schema run for it.
    const cookieMode =
      value !== undefined && parseWith(headerSchema, { "x-chirpy-session": value })["x-chirpy-session"] === "cookie";
    if (cookieMode) requireOwnOrigin(c);
    c.set("cookieMode", cookieMode);
    await next();
  }),
  { target: "header", schema: headerSchema },
);

/**
 * Cookie mode needs to know where the request comes from: an Origin that is this API's own or
 * listed in CORS_ORIGINS, or else `Sec-Fetch-Site: same-origin`; never `Sec-Fetch-Site: cross-site`.
 */
function requireOwnOrigin(c: Context<SessionModeEnv>): void {
  const origin = c.req.header("Origin");
  const site = c.req.header("Sec-Fetch-Site");
  if (site === "cross-site") throw forbidden(COOKIE_MODE_ORIGIN_REFUSED);
  if (origin === undefined) {
    if (site === "same-origin") return;
    throw forbidden(COOKIE_MODE_ORIGIN_REFUSED);
  }
  if (origin === new URL(c.req.url).origin || c.get("deps").config.corsOrigins.includes(origin)) return;
  throw forbidden(COOKIE_MODE_ORIGIN_REFUSED);
}

/** A refresh token as a request presents it, and how: an Authorization header, or the cookie. */
export interface PresentedToken {
  token: string | null;
  via: "bearer" | "cookie";
}

/**
 * The refresh token a request presents: the bearer token when there is an Authorization header;
 * else, in cookie mode, the cookie. A cookie outside cookie mode is a 403 (a cross-site form post,
 * or a script that did not ask for cookie mode). `token` is null when there is none.
 */
export function presentedRefreshToken(c: Context<SessionModeEnv>): PresentedToken {
  if (c.req.header("Authorization") !== undefined) return { token: readAuthorization(c, "Bearer"), via: "bearer" };
  const cookie = getCookie(c, COOKIE, "host") ?? null;
  if (c.get("cookieMode")) return { token: cookie, via: "cookie" };
  if (cookie !== null) throw forbidden(COOKIE_NEEDS_SESSION_HEADER);
  return { token: null, via: "bearer" };
}

/**
 * Sets the refresh cookie to live exactly as long as the session (rotation never extends it), and
 * beside it the hint a page may read.
 */
export function setRefreshCookie(c: Context<SessionModeEnv>, token: string, expiresAt: Date): void {
  const seconds = Math.max(0, Math.round((expiresAt.getTime() - c.get("deps").clock.now()) / 1000));
  setCookie(c, COOKIE, token, { ...ATTRIBUTES, maxAge: seconds });
  setCookie(c, HINT, "1", { ...HINT_ATTRIBUTES, maxAge: seconds });
}

/** Clears the refresh cookie and its hint (same names, paths and attributes, Max-Age=0). */
export function clearRefreshCookie(c: Context<SessionModeEnv>): void {
  deleteCookie(c, COOKIE, ATTRIBUTES);
  deleteCookie(c, HINT, HINT_ATTRIBUTES);
}

const ATTRIBUTES = { prefix: "host", httpOnly: true, secure: true, sameSite: "Strict", path: "/" } as const;

/**
 * `__Host-chirpy_session_hint=1`: readable by the page (not HttpOnly) and worth nothing to anyone
 * else: it says only that this browser holds a refresh cookie, so a page loaded without it knows
 * it is logged out without asking /api/refresh (and logging a 401). It never authenticates.
 */
const HINT = "chirpy_session_hint";
/** The hint's full name as the browser stores it. */
export const SESSION_HINT_COOKIE = `__Host-${HINT}`;
const HINT_ATTRIBUTES = { ...ATTRIBUTES, httpOnly: false } as const;

// The device cookie (auth/device.ts): __Host-chirpy-device, HttpOnly, Secure, SameSite=Strict, a
// year. Set by every successful login, in bearer and cookie mode alike; read by the next login.
const DEVICE = "chirpy-device";

/** The device cookie a request carries, or null. */
export const deviceCookieOf = (c: Context): string | null => getCookie(c, DEVICE, "host") ?? null;

export function setDeviceCookie(c: Context, value: string): void {
  setCookie(c, DEVICE, value, { ...ATTRIBUTES, maxAge: DEVICE_COOKIE_SECONDS });
}
