// Assembles the Hono app: per-request dependencies, body limit, headers, routes, and the one
// error handler that turns every failure into {"error": "..."}.

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { type Clock, systemClock } from "./clock";
import type { RandomBytes } from "./crypto/bytes";
import {
  AppError,
  BAD_REQUEST,
  type ErrorStatus,
  errorBody,
  INTERNAL_ERROR,
  INVALID_JSON,
  MisconfigurationError,
  NOT_FOUND,
} from "./errors";
import { limitBody } from "./middleware/body-limit";
import { type AppEnv, depsMiddleware } from "./middleware/context";
import { corsFromConfig } from "./middleware/cors";
import { authRoutes } from "./routes/auth";
import { chirpsRoutes } from "./routes/chirps";
import { docsRoutes } from "./routes/docs";
import { mfaRoutes } from "./routes/mfa";
import { opsRoutes } from "./routes/ops";
import { passkeysRoutes } from "./routes/passkeys";
import { polkaRoutes } from "./routes/polka";
import { recoveryRoutes } from "./routes/recovery";
import { sessionsRoutes } from "./routes/sessions";
import { usersRoutes } from "./routes/users";

const MAX_BODY_BYTES = 1024 * 1024;

export interface AppOptions {
  clock?: Clock;
  random?: RandomBytes;
}

export function createApp(options: AppOptions = {}) {
  const app = new Hono<AppEnv>();

  app.use(secureHeaders());
  app.use(async (c, next) => {
    await next();
    // Responses carry tokens and per-user data: no cache may keep them. Set on the response
    // itself: after the handler, c.header() would copy the whole response to change one header.
    c.res.headers.set("Cache-Control", "no-store");
  });
  app.use(depsMiddleware(options.clock ?? systemClock, options.random));
  app.use(corsFromConfig);
  app.use(limitBody(MAX_BODY_BYTES));

  const routes = app
    .route("/", opsRoutes)
    .route("/api", authRoutes)
    .route("/api", recoveryRoutes)
    .route("/api/users", usersRoutes)
    .route("/api/chirps", chirpsRoutes)
    .route("/api/sessions", sessionsRoutes)
    .route("/api/passkeys", passkeysRoutes)
    .route("/api/mfa", mfaRoutes)
    .route("/api/polka", polkaRoutes)
    .route(
      "/",
      docsRoutes(() => app.routes),
    );

  app.notFound((c) => c.json(errorBody(NOT_FOUND, 404), 404));
  app.onError((err, c) => {
    c.header("Cache-Control", "no-store");
    if (err instanceof MisconfigurationError) {
      // Every request fails the same way until the deployment is fixed: say why once per isolate
      // (per environment object, which is fixed for an isolate's life).
      const reported = reportedMisconfigurations.get(c.env) ?? new Set<string>();
      reportedMisconfigurations.set(c.env, reported);
      if (!reported.has(err.detail)) {
        reported.add(err.detail);
        console.error(`Misconfiguration: ${err.detail}`);
      }
      return c.json({ error: err.message, code: err.code }, err.status);
    }
    if (err instanceof AppError) return c.json({ error: err.message, code: err.code }, err.status, err.headers);
    // Hono's own 400s come from its body parsing in the validators (JSON with a JSON Content-Type):
    // the same fault without that Content-Type is INVALID_JSON too (middleware/validation.ts).
    if (err instanceof HTTPException) {
      const message = err.status === 400 ? INVALID_JSON : err.message || BAD_REQUEST;
      return c.json(errorBody(message, err.status as ErrorStatus), err.status);
    }
    // Unexpected: log the error's type and the driver's message, never the request, the bound
    // parameters (a Drizzle error's own message carries them) or a token.
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
    console.error(`Unhandled ${err.name}${cause}`);
    return c.json(errorBody(INTERNAL_ERROR, 500), 500);
  });

  return routes;
}

/** Misconfigurations already logged, per environment (few: one per distinct cause). */
const reportedMisconfigurations = new WeakMap<object, Set<string>>();

export type AppType = ReturnType<typeof createApp>;
