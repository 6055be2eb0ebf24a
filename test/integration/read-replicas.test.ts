// D1 read replication: a request runs on the primary unless its route declares mayReadFromReplica.
// Against a replica that lags (test/replica-double.ts), nothing that decides who someone is may be
// read from it: a revoked token, an ended session and a changed password are refused everywhere.
// Public reads may come from the replica, and a client that sends its bookmark reads its own writes.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BOOKMARK_HEADER, replicaReadStart } from "../../src/db/replication";
import { errorBody, INCORRECT_CREDENTIALS, INVALID_ACCESS_TOKEN, INVALID_REFRESH_TOKEN } from "../../src/errors";
import { roundTripRecorder, type Trip } from "../d1";
import {
  api,
  appWith,
  bearer,
  json,
  newUser,
  PASSWORD,
  postChirp,
  put,
  refresh,
  revoke,
  sessionIdOf,
} from "../helpers";
import { laggingReplica } from "../replica-double";

function replicatedApp() {
  const replica = laggingReplica();
  return { replica, app: appWith({}, { DB: replica.db }) };
}

describe("the session policy", () => {
  it.each([
    [undefined, "first-unconstrained"],
    ["0000002a-00000003", "0000002a-00000003"],
    ["not a bookmark'; --", "first-unconstrained"],
  ])("a replica read with bookmark %j starts %s", (bookmark, expected) => {
    expect(replicaReadStart(bookmark)).toBe(expected);
  });

  it("only the routes that declare it (the public chirp reads) leave the primary", async () => {
    const user = await newUser();
    const chirp = await (await postChirp(api, user.token, "policy")).json<{ id: string }>();
    const auth = { headers: { ...bearer(user.token), [BOOKMARK_HEADER]: "0000002a-00000003" } };
    const cases: [string, RequestInit, string][] = [
      ["/api/chirps", {}, "first-unconstrained"],
      [`/api/chirps/${chirp.id}`, {}, "first-unconstrained"],
      ["/api/chirps", { headers: { [BOOKMARK_HEADER]: "0000002a-00000003" } }, "0000002a-00000003"],
      ["/api/chirps", json({ body: "x" }, auth.headers), "first-primary"],
      [`/api/chirps/${crypto.randomUUID()}`, { method: "DELETE", ...auth }, "first-primary"],
      ["/api/refresh", { method: "POST", headers: bearer("0".repeat(64)) }, "first-primary"],
      ["/api/login", json({ email: user.email, password: "wrong" }), "first-primary"],
      ["/api/sessions", auth, "first-primary"],
      ["/api/users", put({ email: user.email, password: user.password }, user.token), "first-primary"],
      ["/api/healthz", {}, "first-primary"],
    ];
    for (const [path, init, expected] of cases) {
      const trips: Trip[] = [];
      await appWith({}, { DB: roundTripRecorder(trips) })(path, init);
      expect(trips.length, path).toBeGreaterThan(0);
      expect(new Set(trips.map((trip) => trip.session)), `${init.method ?? "GET"} ${path}`).toEqual(
        new Set([expected]),
      );
    }
  });
});

describe("with the replica behind the primary", () => {
  it("refuses a revoked refresh token the replica still holds as live", async () => {
    const { replica, app } = replicatedApp();
    const user = await newUser(app);
    await replica.catchUp();
    expect((await revoke(app, user.refreshToken)).status).toBe(204);
    // The replica is indeed stale: there the token is not revoked.
    const stale = await env.REPLICA_DB.prepare(
      "select count(*) as n from refresh_tokens where user_id = ? and revoked_at is null",
    )
      .bind(user.id)
      .first<{ n: number }>();
    expect(stale?.n).toBe(1);

    const res = await refresh(app, user.refreshToken);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(errorBody(INVALID_REFRESH_TOKEN));
  });

  it("refuses an ended session on every endpoint that takes an access token", async () => {
    const { replica, app } = replicatedApp();
    const user = await newUser(app);
    const other = await newUser(app);
    const chirp = await (await postChirp(app, user.token, "mine")).json<{ id: string }>();
    await replica.catchUp();
    expect((await app("/api/sessions", { method: "DELETE", headers: bearer(user.token) })).status).toBe(204);

    const calls: [string, Promise<Response>][] = [
      ["POST /api/chirps", postChirp(app, user.token, "after logout")],
      ["DELETE /api/chirps/{id}", app(`/api/chirps/${chirp.id}`, { method: "DELETE", headers: bearer(user.token) })],
      ["GET /api/sessions", app("/api/sessions", { headers: bearer(user.token) })],
      ["DELETE /api/sessions", app("/api/sessions", { method: "DELETE", headers: bearer(user.token) })],
      [
        "DELETE /api/sessions/{id}",
        app(`/api/sessions/${sessionIdOf(user.token)}`, { method: "DELETE", headers: bearer(user.token) }),
      ],
      ["PUT /api/users", app("/api/users", put({ email: user.email, password: "taken over" }, user.token))],
      ["POST /api/refresh", refresh(app, user.refreshToken)],
    ];
    for (const [name, call] of calls) {
      const res = await call;
      expect(res.status, name).toBe(401);
      expect((await res.json<{ error: string }>()).error, name).toMatch(
        new RegExp(`^(${INVALID_ACCESS_TOKEN}|${INVALID_REFRESH_TOKEN})$`),
      );
    }
    // Someone else's session is untouched.
    expect((await postChirp(app, other.token, "still here")).status).toBe(201);
  });

  it("refuses the old password after a change the replica has not seen", async () => {
    const { replica, app } = replicatedApp();
    const user = await newUser(app);
    await replica.catchUp();
    expect((await app("/api/users", put({ email: user.email, password: "the new one" }, user.token))).status).toBe(200);
    const old = await app("/api/login", json({ email: user.email, password: PASSWORD }));
    expect(old.status).toBe(401);
    expect(await old.json()).toEqual(errorBody(INCORRECT_CREDENTIALS));
    expect((await app("/api/login", json({ email: user.email, password: "the new one" }))).status).toBe(200);
  });

  it("a client that sends back its bookmark reads its own chirp; one that sends none may read the stale list", async () => {
    const { replica, app } = replicatedApp();
    const user = await newUser(app);
    await replica.catchUp();
    const created = await postChirp(app, user.token, "read your writes");
    expect(created.status).toBe(201);
    const bookmark = created.headers.get(BOOKMARK_HEADER);
    expect(bookmark).toMatch(/^[0-9a-f]+(-[0-9a-f]+)*$/);
    const chirp = await created.json<{ id: string }>();

    const withBookmark = await app(`/api/chirps?author_id=${user.id}`, {
      headers: { [BOOKMARK_HEADER]: bookmark ?? "" },
    });
    expect((await withBookmark.json<{ id: string }[]>()).map((c) => c.id)).toEqual([chirp.id]);
    expect((await app(`/api/chirps/${chirp.id}`, { headers: { [BOOKMARK_HEADER]: bookmark ?? "" } })).status).toBe(200);

    // Without it the replica answers, and it has not seen the chirp yet: stale, by design.
    const trips = replica.trips.length;
    const without = await app(`/api/chirps?author_id=${user.id}`);
    expect(await without.json()).toEqual([]);
    expect(replica.trips.slice(trips)).toEqual(["replica"]);
    expect((await app(`/api/chirps/${chirp.id}`)).status).toBe(404);

    await replica.catchUp();
    expect((await (await app(`/api/chirps?author_id=${user.id}`)).json<{ id: string }[]>()).map((c) => c.id)).toEqual([
      chirp.id,
    ]);
  });
});

describe("the real binding's Sessions API (local D1)", () => {
  it("runs every request in a session and hands back its bookmark", async () => {
    const user = await newUser();
    const created = await postChirp(api, user.token, "bookmarked");
    const bookmark = created.headers.get(BOOKMARK_HEADER);
    expect(bookmark).toBeTruthy();
    const chirp = await created.json<{ id: string }>();
    const read = await api(`/api/chirps/${chirp.id}`, { headers: { [BOOKMARK_HEADER]: bookmark ?? "" } });
    expect(read.status).toBe(200);
    expect(read.headers.get(BOOKMARK_HEADER)).toBeTruthy();
    // Malformed bookmarks are not passed to D1: the read still answers.
    expect((await api(`/api/chirps/${chirp.id}`, { headers: { [BOOKMARK_HEADER]: "garbage!" } })).status).toBe(200);
    // A route that touches no database carries none.
    expect((await api("/openapi.json")).headers.get(BOOKMARK_HEADER)).toBeNull();
  });

  it("exposes the bookmark header to browsers when CORS is on", async () => {
    const app = appWith({}, { CORS_ORIGINS: "https://app.example" });
    const res = await app("/api/chirps", { headers: { Origin: "https://app.example" } });
    expect(res.headers.get("Access-Control-Expose-Headers")).toContain(BOOKMARK_HEADER);
  });
});
