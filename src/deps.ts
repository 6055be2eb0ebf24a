// What a service gets: the request's Drizzle handle (over its D1 session), its bookmark, the
// parsed config, the clock and the random source. Built once per request (or cron run); no Hono.

import { recipientCharge, spend } from "./auth/budgets";
import { type Defer, deferNow } from "./background";
import type { Clock } from "./clock";
import { type Bindings, type Config, parseConfig } from "./config";
import { type RandomBytes, randomBytes } from "./crypto/bytes";
import { createDb, type Db } from "./db/client";
import type { SessionStart } from "./db/replication";
import { createMailer, type Mailer } from "./mail/mailer";

export interface Deps {
  /** Drizzle over this request's D1 session (see db/replication.ts). */
  db: Db;
  /** The latest bookmark D1 gave this request's session, or null when nothing reached D1. */
  bookmark(): string | null;
  config: Config;
  clock: Clock;
  random: RandomBytes;
  /** Runs work after the response (waitUntil): mail, and whatever decides whether to send it. */
  defer: Defer;
  mail: Mailer;
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

/**
 * Everything a request (or a cron run) needs, in a D1 session that starts as `start` says;
 * `defer` is the request's (see background.ts); elsewhere deferred work starts at once.
 */
export function buildDeps(
  env: Bindings,
  clock: Clock,
  random: RandomBytes = randomBytes,
  start: SessionStart = "first-primary",
  defer: Defer = deferNow,
): Deps {
  const config = configFor(env);
  // Opened with the first statement: a request that never reaches D1 opens no session, and its
  // bookmark stays null (a session started from the client's bookmark reports that bookmark
  // until a query runs; only then is it D1's answer rather than the client's own string).
  let session: D1DatabaseSession | undefined;
  const open = () => (session ??= env.DB.withSession(start));
  const client = {
    prepare: (query: string) => open().prepare(query),
    batch: <T>(statements: D1PreparedStatement[]) => open().batch<T>(statements),
  };
  // The Drizzle handle and the mailer are made when first used, not for every request.
  let db: Db | undefined;
  let mail: Mailer | undefined;
  const dbOnFirstUse = () => {
    db ??= createDb(client);
    return db;
  };
  return {
    get db() {
      return dbOnFirstUse();
    },
    bookmark: () => session?.getBookmark() ?? null,
    config,
    clock,
    random,
    defer,
    get mail() {
      mail ??= createMailer({
        binding: env.EMAIL,
        from: config.emailFrom,
        devMailbox: config.platform === "dev",
        now: clock.now,
        spendRecipientBudget: async (to, kind) => {
          const spent = [await recipientCharge(config, to)];
          return (await spend({ db: dbOnFirstUse(), config, clock }, spent, { ip: null, kind })) === null;
        },
      });
      return mail;
    },
  };
}
