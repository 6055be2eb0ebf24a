// Refuses requests a browser marks as coming from another site, for endpoints no web page may
// trigger (the dev-only reset): any page could otherwise send a simple POST to 127.0.0.1:8787.
// Non-browser clients (curl, the Chirpy CLI tests) send neither header and pass.

import { createMiddleware } from "hono/factory";
import { CROSS_SITE_REFUSED, forbidden } from "../errors";

/**
 * 403 when `Origin` is present and not this server's own origin (including "null"), or when
 * `Sec-Fetch-Site` (Fetch Metadata) is anything but "same-origin" or "none" (typed by the user).
 * "same-site" is refused too: another port on localhost is the same site.
 */
export const refuseCrossSite = createMiddleware(async (c, next) => {
  const origin = c.req.header("Origin");
  const site = c.req.header("Sec-Fetch-Site");
  if (origin !== undefined && origin !== new URL(c.req.url).origin) throw forbidden(CROSS_SITE_REFUSED);
  if (site !== undefined && site !== "same-origin" && site !== "none") throw forbidden(CROSS_SITE_REFUSED);
  await next();
});
