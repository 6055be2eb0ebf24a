// The benchmark build: the real worker plus floor routes that exist only here, so each
// scenario can be compared with what the runtime costs for (A) a constant response, (B) one
// indexed D1 read (and B in a D1 session, as the app reads), (C) signing and verifying one access token, and (D) the same chirp insert
// as POST /api/chirps as one raw D1 statement, in the same build; (W) waits 100 ms without CPU,
// to show how many requests the runtime keeps in flight.

import type { Bindings } from "../src/config";
import { signAccessToken, verifyAccessToken } from "../src/crypto/jwt";
import { signingKeyFor } from "../src/crypto/keys";
import worker from "../src/index";

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
      default:
        return worker.fetch(request, env, ctx);
    }
  },
} satisfies ExportedHandler<Bindings>;
