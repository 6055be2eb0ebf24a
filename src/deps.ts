// What a service gets: the request's Drizzle handle (over its D1 session), its bookmark, the
// parsed config, the clock and the random source. Built once per request (or cron run); no Hono.

import type { Clock } from "./clock";
import { type Bindings, type Config, parseConfig } from "./config";
import { type RandomBytes, randomBytes } from "./crypto/bytes";
import { createDb, type Db } from "./db/client";
import type { SessionStart } from "./db/replication";

export interface Deps {
  /** Drizzle over this request's D1 session (see db/replication.ts). */
  db: Db;
  /** The session's latest bookmark, or null before its first query. */
  bookmark(): string | null;
  config: Config;
  clock: Clock;
  random: RandomBytes;
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

/** Everything a request (or a cron run) needs, in a D1 session that starts as `start` says. */
export function buildDeps(
  env: Bindings,
  clock: Clock,
  random: RandomBytes = randomBytes,
  start: SessionStart = "first-primary",
): Deps {
  const session = env.DB.withSession(start);
  return { db: createDb(session), bookmark: () => session.getBookmark(), config: configFor(env), clock, random };
}
