// The app's typed bindings, and the middleware that builds each request's deps in the D1 session
// its route calls for and hands the session's bookmark back (`x-d1-bookmark`).

import { createMiddleware } from "hono/factory";
import type { Clock } from "../clock";
import type { Bindings } from "../config";
import type { RandomBytes } from "../crypto/bytes";
import { BOOKMARK_HEADER, sessionStartFor } from "../db/replication";
import { buildDeps, type Deps } from "../deps";

/** What every route sees. Routes behind require-auth also see what it sets (typed there). */
export interface AppEnv {
  Bindings: Bindings;
  Variables: { deps: Deps };
}

export const depsMiddleware = (clock: Clock, random?: RandomBytes) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const start = sessionStartFor(c.req.method, c.req.path, c.req.header(BOOKMARK_HEADER));
    const deps = buildDeps(c.env, clock, random, start);
    c.set("deps", deps);
    await next();
    const bookmark = deps.bookmark();
    if (bookmark !== null) c.header(BOOKMARK_HEADER, bookmark);
  });
