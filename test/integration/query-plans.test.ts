// Every statement the app sends to D1 must use an index: EXPLAIN QUERY PLAN through D1 shows no
// full table scan and no sort step. The statements are recorded from requests to every endpoint
// (sign-up, login, refresh with and without rotation, revoke, sessions, chirps and their pages by
// cursor, budgets, recovery and verification by mail, passkeys, the Polka webhook) and from a housekeeping
// run, so a new statement is covered as soon as a request sends it. Every table here grows with
// users or time: none may be scanned. (The dev-only /admin/reset deletes every user by design.)

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { buildDeps } from "../../src/deps";
import { runHousekeeping } from "../../src/ops/service";
import { SoftAuthenticator } from "../authenticator";
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
  sessionIdOf,
  tokenFrom,
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

/** The rest of the API: timeline pages by cursor, sessions, deletes, recovery and verification, Polka. */
async function exerciseEverythingElse(app: Fetcher) {
  const user = await newUser(app);
  const other = await newUser(app);
  for (let i = 0; i < 3; i++) await postChirp(app, user.token, `page ${i}`);
  for (const query of ["", `author_id=${user.id}&`]) {
    for (const sort of ["asc", "desc"]) {
      const first = await app(`/api/chirps?${query}sort=${sort}&limit=1`);
      const next = /<([^>]+)>; rel="next"/.exec(first.headers.get("Link") ?? "")?.[1];
      expect(next, `${query}${sort}`).toBeDefined();
      const url = new URL(next as string);
      expect((await app(url.pathname + url.search)).status).toBe(200);
    }
  }
  const chirp = await (await postChirp(app, user.token, "to delete")).json<{ id: string }>();
  await app(`/api/chirps/${chirp.id}`, { method: "DELETE", headers: bearer(other.token) }); // 403
  await app(`/api/chirps/${chirp.id}`, { method: "DELETE", headers: bearer(user.token) });
  await app("/api/healthz");
  await app(
    "/api/polka/webhooks",
    json({ event: "user.upgraded", data: { user_id: user.id } }, { Authorization: `ApiKey ${env.POLKA_KEY}` }),
  );
  // Verification and reset by mail.
  await app("/api/email-verifications", json({}, bearer(user.token)));
  await app("/api/email-verifications/confirm", json({ token: await tokenFrom(user.email, /Confirm/) }));
  await app("/api/password-resets", json({ email: user.email }));
  await app("/api/password-resets", json({ email: "nobody-here@example.com" }));
  await app(
    "/api/password-resets/confirm",
    json({ token: await tokenFrom(user.email, /Reset/), password: `new ${PASSWORD}` }),
  );
  // Sessions: end one, then all.
  const second = await newUser(app);
  const again = await (await app("/api/login", json({ email: second.email, password: PASSWORD }))).json<{
    token: string;
  }>();
  await app(`/api/sessions/${sessionIdOf(second.token)}`, { method: "DELETE", headers: bearer(again.token) });
  await app("/api/sessions", { method: "DELETE", headers: bearer(again.token) });
  // Passkeys: add one, sign in with it, list, count and remove it.
  const authenticator = new SoftAuthenticator("http://chirpy.test", "chirpy.test");
  const creation = await app("/api/passkeys/registration-options", { method: "POST", headers: bearer(other.token) });
  const credential = await authenticator.create(await creation.json());
  const added = await (await app("/api/passkeys", json({ credential }, bearer(other.token)))).json<{ id: string }>();
  const request = await app("/api/passkeys/authentication-options", json({}, { "CF-Connecting-IP": "192.0.2.9" }));
  const assertion = await authenticator.get(await request.json());
  const signedIn = await app(
    "/api/login/passkey",
    json({ credential: assertion }, { "CF-Connecting-IP": "192.0.2.9" }),
  );
  expect(signedIn.status).toBe(200);
  await app("/api/passkeys", { headers: bearer(other.token) });
  await app("/api/users/me", { headers: bearer(other.token) });
  await app(`/api/passkeys/${added.id}`, { method: "DELETE", headers: bearer(other.token) });
  await app("/api/passkeys/registration-options", { method: "POST", headers: bearer(other.token) }); // left to expire
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
    await exerciseEverythingElse(appWith({ clock }, { DB: recordingD1(seen) }));
    await runHousekeeping(buildDeps({ ...env, DB: recordingD1(seen) }, { now: () => clock.now() + 90 * 86_400_000 }));
    // Every table was written and cleaned up (so the plan check below covered its statements).
    for (const table of [
      "chirps",
      "sessions",
      "refresh_tokens",
      "login_attempts",
      "known_networks",
      "account_tokens",
      "passkeys",
      "webauthn_challenges",
    ]) {
      for (const verb of ["insert", "delete"]) {
        const found = [...seen].some((q) => q.toLowerCase().startsWith(verb) && q.includes(`"${table}"`));
        expect(found, `${verb} ${table}`).toBe(true);
      }
    }
    const queries = [...seen].filter((query) => /^(select|update|delete|insert)/i.test(query.trim()));
    expect(queries.length).toBeGreaterThan(40);
    for (const query of queries) {
      const details = await plan(query);
      for (const detail of details) {
        // "SCAN t" is a full table scan; "SCAN t USING ... INDEX" walks a whole index (also a full
        // scan). "SCAN n-ROW VALUES CLAUSE" reads the statement's own rows (a multi-row upsert), "SCAN
        // CONSTANT ROW" none (the health check's "select 1").
        expect(detail, `${query}\n→ ${details.join("; ")}`).not.toMatch(/^SCAN (?!\d+-ROW VALUES CLAUSE|CONSTANT ROW)/);
        expect(detail, `${query}\n→ ${details.join("; ")}`).not.toMatch(/TEMP B-TREE/);
      }
    }
  });
});
