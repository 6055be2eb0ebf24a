// Guards for dev tools (the reset), which no web page may trigger: any page could otherwise send a
// simple POST to 127.0.0.1:8787, or rebind its own host name to 127.0.0.1 (DNS rebinding) and
// call it "same-origin". Non-browser clients (curl, the Chirpy CLI tests) pass.

import { createMiddleware } from "hono/factory";
import { CROSS_SITE_REFUSED, forbidden, LOOPBACK_ONLY, NOT_FOUND, notFound } from "../errors";
import { isLoopback, isLoopbackHostname } from "../net/network";
import type { AppEnv } from "./context";

/**
 * 403 unless the peer is loopback: `CF-Connecting-IP`, which wrangler dev sets from the socket (and
 * Cloudflare's edge from the client), must be a loopback address when present (it is absent only
 * for in-process calls, as in the workers tests). `npm start` also binds wrangler dev to 127.0.0.1,
 * so no other machine reaches these routes at all.
 * Then 403 unless the request names a loopback host (`Host`: localhost, 127.0.0.1 or [::1], any
 * port): a rebound name (evil.example → 127.0.0.1) makes the page's origin equal the request's,
 * so the Origin check alone cannot tell; its Host header still says evil.example.
 * Then 403 when `Origin` is present and not this server's own origin (including "null"), or when
 * `Sec-Fetch-Site` (Fetch Metadata) is anything but "same-origin" or "none" (typed by the user).
 * "same-site" is refused too: another port on localhost is the same site.
 */
export const devToolGuard = createMiddleware(async (c, next) => {
  const url = new URL(c.req.url);
  const peer = c.req.header("CF-Connecting-IP");
  if (peer !== undefined && !isLoopback(peer)) throw forbidden(LOOPBACK_ONLY);
  if (!isLoopbackHostname(url.hostname)) throw forbidden(LOOPBACK_ONLY);
  const origin = c.req.header("Origin");
  const site = c.req.header("Sec-Fetch-Site");
  if (origin !== undefined && origin !== url.origin) throw forbidden(CROSS_SITE_REFUSED);
  if (site !== undefined && site !== "same-origin" && site !== "none") throw forbidden(CROSS_SITE_REFUSED);
  await next();
});

/** A route that exists only with PLATFORM=dev: anywhere else it answers as an unknown path (404). */
export const devPlatformOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (c.get("deps").config.platform !== "dev") throw notFound(NOT_FOUND);
  await next();
});
