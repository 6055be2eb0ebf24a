// Typed app bindings and the per-request dependencies (db, config, clock, randomness),
// built once by one middleware so services never touch Context or env.

import { createMiddleware } from "hono/factory";
import type { Clock } from "./clock";
import { type Bindings, type Config, parseConfig } from "./config";
import { type RandomBytes, randomBytes } from "./crypto/bytes";
import type { VerifiedAccessToken } from "./crypto/jwt";
import { createDb, type Db } from "./db/client";
import type { User } from "./db/schema";

export interface Deps {
  db: Db;
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
export const buildDeps = (env: Bindings, clock: Clock, random: RandomBytes = randomBytes): Deps => ({
  db: createDb(env.DB),
  config: configFor(env),
  clock,
  random,
});

export const depsMiddleware = (clock: Clock, random?: RandomBytes) =>
  createMiddleware<AppEnv>(async (c, next) => {
    c.set("deps", buildDeps(c.env, clock, random));
    await next();
  });
