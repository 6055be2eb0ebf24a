// Assembles the Hono app: per-request dependencies, body limit, headers, routes, and the one
// error handler that turns every failure into {"error": "..."}.

import { Hono } from "hono";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { limitBody } from "./body-limit";
import { type Clock, systemClock } from "./clock";
import { type AppEnv, depsMiddleware } from "./context";
import type { RandomBytes } from "./crypto/bytes";
import { BOOKMARK_HEADER } from "./db/replication";
import { AppError, MisconfigurationError } from "./errors";
import { adminRoutes, healthRoutes } from "./routes/admin";
import { authRoutes } from "./routes/auth";
import { chirpsRoutes } from "./routes/chirps";
import { docsRoutes } from "./routes/docs";
import { polkaRoutes } from "./routes/polka";
import { sessionsRoutes } from "./routes/sessions";
import { usersRoutes } from "./routes/users";

export const MAX_BODY_BYTES = 1024 * 1024;

export interface AppOptions {
  clock?: Clock;
  random?: RandomBytes;
}

export function createApp(options: AppOptions = {}) {
  const app = new Hono<AppEnv>();

  app.use(secureHeaders());
  app.use(async (c, next) => {
    await next();
    // Responses carry tokens and per-user data: no cache may keep them.
    c.header("Cache-Control", "no-store");
  });
  app.use(depsMiddleware(options.clock ?? systemClock, options.random));
  app.use(corsFromConfig);
  app.use(limitBody(MAX_BODY_BYTES));

  const routes = app
    .route("/api", healthRoutes)
    .route("/api", authRoutes)
    .route("/api/users", usersRoutes)
    .route("/api/chirps", chirpsRoutes)
    .route("/api/sessions", sessionsRoutes)
    .route("/api/polka", polkaRoutes)
    .route("/admin", adminRoutes)
    .route("/", docsRoutes);

  app.notFound((c) => c.json({ error: "Not found" }, 404));
  app.onError((err, c) => {
    c.header("Cache-Control", "no-store");
    if (err instanceof MisconfigurationError) {
      console.error(`Misconfiguration: ${err.detail}`);
      return c.json({ error: err.message }, err.status);
    }
    if (err instanceof AppError) return c.json({ error: err.message }, err.status, err.headers);
    if (err instanceof HTTPException) return c.json({ error: err.message || "Bad request" }, err.status);
    // Unexpected: log the error's type and the driver's message, never the request, the bound
    // parameters (a Drizzle error's own message carries them) or a token.
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
    console.error(`Unhandled ${err.name}${cause}`);
    return c.json({ error: "Internal server error" }, 500);
  });

  return routes;
}

// CORS is off unless CORS_ORIGINS lists origins. Tokens travel in the Authorization header,
// never in cookies, so credentials stay off too.
const corsByOrigins = new Map<string, ReturnType<typeof cors>>();
const corsFromConfig = createMiddleware<AppEnv>(async (c, next) => {
  const origins = c.get("deps").config.corsOrigins;
  if (origins.length === 0) return next();
  const key = origins.join(",");
  let handler = corsByOrigins.get(key);
  if (!handler) {
    handler = cors({
      origin: origins,
      allowMethods: ["GET", "POST", "PUT", "DELETE"],
      allowHeaders: ["Authorization", "Content-Type", BOOKMARK_HEADER],
      exposeHeaders: [BOOKMARK_HEADER, "Retry-After", "WWW-Authenticate"],
      maxAge: 600,
    });
    corsByOrigins.set(key, handler);
  }
  return handler(c, next);
});

export type AppType = ReturnType<typeof createApp>;
