// CORS from the config: off unless CORS_ORIGINS lists origins (exact origins, never "*": the
// config refuses a wildcard). Those origins may send credentials, i.e. the session cookie of cookie
// mode (middleware/session-cookie.ts), and its X-Chirpy-Session header.

import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { BOOKMARK_HEADER } from "../db/replication";
import type { AppEnv } from "./context";
import { SESSION_HEADER } from "./session-cookie";

const corsByOrigins = new Map<string, ReturnType<typeof cors>>();
export const corsFromConfig = createMiddleware<AppEnv>(async (c, next) => {
  const origins = c.get("deps").config.corsOrigins;
  if (origins.length === 0) return next();
  const key = origins.join(",");
  let handler = corsByOrigins.get(key);
  if (!handler) {
    handler = cors({
      origin: origins,
      allowMethods: ["GET", "POST", "PUT", "DELETE"],
      allowHeaders: ["Authorization", "Content-Type", BOOKMARK_HEADER, SESSION_HEADER],
      exposeHeaders: [BOOKMARK_HEADER, "Retry-After", "WWW-Authenticate"],
      credentials: true,
      maxAge: 600,
    });
    corsByOrigins.set(key, handler);
  }
  return handler(c, next);
});
