// The app's typed bindings, and the middleware that builds each request's deps (on the D1 primary,
// unless its route declares mayReadFromReplica) and hands the session's bookmark back (`x-d1-bookmark`).

import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { backgroundWith } from "../background";
import type { Clock } from "../clock";
import type { Bindings } from "../config";
import type { RandomBytes } from "../crypto/bytes";
import { BOOKMARK_HEADER, replicaReadStart, type SessionStart } from "../db/replication";
import { buildDeps, type Deps } from "../deps";
import { isLoopbackHostname } from "../net/network";

/** What every route sees. Routes behind require-auth also see what it sets (typed there). */
export interface AppEnv {
  Bindings: Bindings;
  Variables: { deps: Deps; depsStartingAt: (start: SessionStart) => Deps };
}

export const depsMiddleware = (clock: Clock, random?: RandomBytes) =>
  createMiddleware<AppEnv>(async (c, next) => {
    // One set of background tasks per request, started once the answer is made.
    const background = backgroundWith(waitUntilOf(c));
    const depsStartingAt = (start: SessionStart) => buildDeps(c.env, clock, random, start, background.defer);
    c.set("depsStartingAt", depsStartingAt);
    c.set("deps", depsStartingAt("first-primary"));
    await next();
    const bookmark = c.get("deps").bookmark();
    // On the response itself (as app.ts's no-store): c.header() here would copy the response.
    if (bookmark !== null) c.res.headers.set(BOOKMARK_HEADER, bookmark);
    background.start();
  });

/**
 * Declares a route a public read that a replica may serve: its deps start in a D1 session at the
 * client's bookmark (read-your-writes) or on any replica. Only for reads that decide nothing about
 * who someone is (tokens, sessions and credentials are always read on the primary).
 */
export const mayReadFromReplica = createMiddleware<AppEnv>(async (c, next) => {
  c.set("deps", c.get("depsStartingAt")(replicaReadStart(c.req.header(BOOKMARK_HEADER))));
  await next();
});

/** The request's waitUntil, or null where there is no execution context (app.request in tests). */
function waitUntilOf(c: Context): ((promise: Promise<unknown>) => void) | null {
  try {
    const ctx = c.executionCtx;
    return (promise) => ctx.waitUntil(promise);
  } catch {
    return null;
  }
}

type RequestView = { req: { url: string; header(name: string): string | undefined }; var: { deps: Deps } };

/**
 * Where links in mails point: APP_URL, from configuration only. In development (PLATFORM=dev)
 * without it, this API's own web app (`<origin>/app`) when the request names a loopback host;
 * otherwise null (no link is mailed): a Host header never chooses where a token is sent.
 */
function appUrlOf(c: RequestView): string | null {
  const { appUrl, platform } = c.var.deps.config;
  if (appUrl) return appUrl;
  const url = new URL(c.req.url);
  return platform === "dev" && isLoopbackHostname(url.hostname) ? `${url.origin}/app` : null;
}

/** The client's address as Cloudflare's edge reports it (null without it). */
export const clientIpOf = (c: Pick<RequestView, "req">) => c.req.header("CF-Connecting-IP") ?? null;

/** Who asked (for budgets) and where links in the mail it causes point. */
export const mailMetaOf = (c: RequestView) => ({ ip: clientIpOf(c), appUrl: appUrlOf(c) });
