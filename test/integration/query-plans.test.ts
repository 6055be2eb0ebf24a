// Every statement the hot paths send to D1 (login, refresh with and without rotation, revoke,
// authenticated lookups, chirp create, chirps by author, chirp by id) must use an index:
// EXPLAIN QUERY PLAN through D1 shows no full table scan and no sort step.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { recordingD1 } from "../d1";
import {
  appWith,
  bearer,
  type Fetcher,
  fixedClock,
  json,
  newUser,
  PASSWORD,
  postChirp,
  refresh,
  revoke,
} from "../helpers";

async function exerciseHotPaths(app: Fetcher, clock: ReturnType<typeof fixedClock>) {
  const user = await newUser(app);
  const chirp = await (await postChirp(app, user.token, "indexed")).json<{ id: string }>();
  await app(`/api/chirps?author_id=${user.id}`);
  await app(`/api/chirps?author_id=${user.id}&sort=desc`);
  await app(`/api/chirps/${chirp.id}`);
  await app("/api/sessions", { headers: bearer(user.token) });
  const rotated = await (await refresh(app, user.refreshToken)).json<{
    refresh_token: string;
  }>();
  await refresh(app, user.refreshToken); // grace replay
  clock.advance(60);
  await refresh(app, user.refreshToken); // reuse → family ends
  await app("/api/login", json({ email: user.email, password: "wrong" }, { "CF-Connecting-IP": "2001:db8::1" }));
  await app("/api/login", json({ email: user.email, password: PASSWORD }, { "CF-Connecting-IP": "192.0.2.1" }));
  await app("/api/users", {
    ...json(
      { email: `renamed-${user.email}`, password: PASSWORD },
      { ...bearer(user.token), "CF-Connecting-IP": "192.0.2.1" },
    ),
    method: "PUT",
  });
  await revoke(app, rotated.refresh_token);
}

async function plan(query: string): Promise<string[]> {
  const placeholders = (query.match(/\?/g) ?? []).length;
  const result = await env.DB.prepare(`explain query plan ${query}`)
    .bind(...Array(placeholders).fill(null))
    .all<{ detail: string }>();
  return result.results.map((row) => row.detail);
}

describe("query plans of the hot paths", () => {
  it("use indexes only: no full scan, no temporary sort", async () => {
    const seen = new Set<string>();
    const clock = fixedClock();
    for (const rotation of ["off", "on"]) {
      await exerciseHotPaths(appWith({ clock }, { DB: recordingD1(seen), REFRESH_TOKEN_ROTATION: rotation }), clock);
    }
    const queries = [...seen].filter((query) => /^(select|update|delete|insert)/i.test(query.trim()));
    expect(queries.length).toBeGreaterThan(10);
    for (const query of queries) {
      const details = await plan(query);
      for (const detail of details) {
        // "SCAN t" is a full table scan; "SCAN t USING ... INDEX" walks a whole index (also a full
        // scan). "SCAN n-ROW VALUES CLAUSE" reads the statement's own rows (a multi-row upsert).
        expect(detail, `${query}\n→ ${details.join("; ")}`).not.toMatch(/^SCAN (?!\d+-ROW VALUES CLAUSE)/);
        expect(detail, `${query}\n→ ${details.join("; ")}`).not.toMatch(/TEMP B-TREE/);
      }
    }
  });
});
