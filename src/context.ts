// Typed app bindings and the per-request dependencies (db, config, clock, randomness),
// built once by one middleware so services never touch Context or env.

import { createMiddleware } from "hono/factory";
import type { Clock } from "./clock";
import { type Bindings, type Config, parseConfig } from "./config";
import { type RandomBytes, randomBytes } from "./crypto/bytes";
import type { VerifiedAccessToken } from "./crypto/jwt";
import { createDb, type Db } from "./db/client";
import { BOOKMARK_HEADER, type SessionStart, sessionStartFor } from "./db/replication";
import type { User } from "./db/schema";

export interface Deps {
  /** Drizzle over this request's D1 session (see db/replication.ts). */
  db: Db;
  /** The session's latest bookmark, or null before its first query. */
  bookmark(): string | null;
  config: Config;
  clock: Clock;
  random: RandomBytes;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: { deps: Deps; user: User; sessionId: string; accessToken: VerifiedAccessToken };
}

// Bindings are fixed for an isolate's lifetime, so the config is parsed once per env object.
const configCache = new WeakMap<Bindings, Config>();

function configFor(env: Bindings): Config {
  let config = configCache.get(env);
  if (!config) {
    config = parseConfig(env);
    configCache.set(env, config);
  }
  return config;
}

/** Everything a request (or a cron run) needs, built once from the bindings. */
export function buildDeps(
  env: Bindings,
  clock: Clock,
  random: RandomBytes = randomBytes,
  start: SessionStart = "first-primary",
): Deps {
  const session = env.DB.withSession(start);
  return { db: createDb(session), bookmark: () => session.getBookmark(), config: configFor(env), clock, random };
}

/**
 * Builds the request's deps in the D1 session its route calls for, and hands the session's
 * bookmark back in `x-d1-bookmark`, so a client can read its own writes from any replica.
 */
export const depsMiddleware = (clock: Clock, random?: RandomBytes) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const start = sessionStartFor(c.req.method, c.req.path, c.req.header(BOOKMARK_HEADER));
    const deps = buildDeps(c.env, clock, random, start);
    c.set("deps", deps);
    await next();
    const bookmark = deps.bookmark();
    if (bookmark !== null) c.header(BOOKMARK_HEADER, bookmark);
  });
