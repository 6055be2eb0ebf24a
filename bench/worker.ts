// The benchmark build: the real worker plus floor routes that exist only here, so each
// scenario can be compared with what the runtime costs for (A) a constant response, (B) one
// indexed D1 read (and B in a D1 session, as the app reads; refresh's own lookup alone), (A′) A
// answered with the app's headers and a refresh-sized body, (C) signing and verifying one access token,
// and (D) the same chirp insert as POST /api/chirps as one raw D1 statement, in the same build;
// (W) waits 100 ms without CPU, to show how many requests the runtime keeps in flight; and one
// housekeeping step on demand (bench:scale).

import { Hono } from "hono";
import { describeRoute as describedByHonoOpenapi, resolver, validator as validatedByHonoOpenapi } from "hono-openapi";
import { systemClock } from "../src/clock";
import type { Bindings } from "../src/config";
import { sha256Hex } from "../src/crypto/bytes";
import { signAccessToken, verifyAccessToken } from "../src/crypto/jwt";
import { signingKeyFor } from "../src/crypto/keys";
import { createDb } from "../src/db/client";
import { findUsableRefreshToken } from "../src/db/refresh-tokens";
import { BOOKMARK_HEADER } from "../src/db/replication";
import { buildDeps } from "../src/deps";
import worker from "../src/index";
import { credentialsSchema, jsonBody } from "../src/middleware/validation";
import { CRON_HOUSEKEEPING, runHousekeeping } from "../src/ops/service";
import { describeRoute, errors } from "../src/routes/describe";
import { errorResponseSchema, loginResponseSchema } from "../src/routes/responses";

// One operation, a login-shaped POST that validates its body and answers it, described and
// validated two ways: this project's describeRoute + jsonBody, and hono-openapi's describeRoute +
// validator (with resolver() for the responses), to weigh what a well-kept library would cost per
// request (the documents are compared by bench/openapi-compare.mjs).
const described = new Hono()
  .post(
    "/__bench/described/ours",
    describeRoute({
      summary: "Log in",
      tag: "auth",
      responses: { 200: ["Logged in", loginResponseSchema], 400: ["Invalid body", errors("invalid_json")] },
    }),
    jsonBody(credentialsSchema),
    (c) => c.json(c.req.valid("json")),
  )
  .post(
    "/__bench/described/hono-openapi",
    describedByHonoOpenapi({
      summary: "Log in",
      tags: ["auth"],
      responses: {
        200: { description: "Logged in", content: { "application/json": { schema: resolver(loginResponseSchema) } } },
        400: {
          description: "Invalid body",
          content: { "application/json": { schema: resolver(errorResponseSchema) } },
        },
      },
    }),
    validatedByHonoOpenapi("json", credentialsSchema),
    (c) => c.json(c.req.valid("json")),
  );

// The headers every API response carries besides its body (security headers, no-store), read from
// the app's own 404 once per isolate.
let apiHeaders: Promise<[string, string][]> | undefined;
const BENCH_BOOKMARK = "00000000-00000009-00000000-00000000000000000000000000000000";
const apiHeadersFrom = (env: Bindings, ctx: ExecutionContext) => {
  apiHeaders ??= Promise.resolve(worker.fetch(new Request("http://bench/__none"), env, ctx)).then((res) =>
    [...res.headers].filter(([name]) => !["content-type", "content-length"].includes(name)),
  );
  return apiHeaders;
};

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/__bench/hello":
        return new Response("hello");
      case "/__bench/wait":
        // 100 ms of waiting, no CPU: how many requests the runtime keeps in flight at once.
        await new Promise((resolve) => setTimeout(resolve, 100));
        return new Response("waited");
      case "/__bench/read": {
        const row = await env.DB.prepare("select id from users where email = ?")
          .bind(url.searchParams.get("email"))
          .first<{ id: string }>();
        return Response.json(row);
      }
      case "/__bench/hello-headers": {
        // A constant answer shaped as the app answers a refresh: its headers (the security headers,
        // no-store, a D1 bookmark) and a body of a refresh's size.
        const headers = new Headers(await apiHeadersFrom(env, ctx));
        headers.set(BOOKMARK_HEADER, BENCH_BOOKMARK);
        return Response.json({ token: "x".repeat(300) }, { headers });
      }
      case "/__bench/lookup": {
        // Refresh's own lookup (the token's hash, then the app's prepared Drizzle query), nothing else.
        const owner = await findUsableRefreshToken(
          createDb(env.DB),
          await sha256Hex(url.searchParams.get("token") ?? ""),
          new Date(),
        );
        return Response.json(owner);
      }
      case "/__bench/read-session": {
        // The same read in a D1 session started on the primary, as the app's requests run.
        const row = await env.DB.withSession("first-primary")
          .prepare("select id from users where email = ?")
          .bind(url.searchParams.get("email"))
          .first<{ id: string }>();
        return Response.json(row);
      }
      case "/__bench/insert": {
        const now = Date.now();
        const row = await env.DB.prepare(
          "insert into chirps (id, created_at, updated_at, body, user_id) values (?, ?, ?, ?, ?) returning *",
        )
          .bind(crypto.randomUUID(), now, now, "benchmarking a **** at the edge", url.searchParams.get("user"))
          .first();
        return Response.json(row, { status: 201 });
      }
      case "/__bench/jwt": {
        const key = await signingKeyFor(env.JWT_SECRET ?? "");
        const now = Date.now();
        const token = await signAccessToken("user", "session", now, { key, issuer: "bench", ttlSeconds: 60 });
        const keys = { current: key, byKid: new Map([[key.kid, key]]) };
        return Response.json(await verifyAccessToken(token, now, { keys, issuer: "bench" }));
      }
      case "/__bench/housekeeping-step": {
        // Exactly one housekeeping step (every sweep once), of the size the cron's steps are.
        const run = await runHousekeeping(buildDeps(env, systemClock), { ...CRON_HOUSEKEEPING, timeBudgetMs: 0 });
        return Response.json(run);
      }
      case "/__bench/described/ours":
      case "/__bench/described/hono-openapi":
        return described.fetch(request, env, ctx);
      default:
        return worker.fetch(request, env, ctx);
    }
  },
} satisfies ExportedHandler<Bindings>;
