// Writes made on behalf of a session carry the session check with them: a request whose session
// ends while it is in flight (held at a gate, test/d1.ts) changes nothing and gets 401.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { INVALID_ACCESS_TOKEN } from "../../src/errors";
import { gatedD1 } from "../d1";
import { api, appWith, bearer, json, newUser, PASSWORD, postChirp, revoke, sessionIdOf } from "../helpers";

const sessionLive = async (sessionId: string) =>
  (
    await env.DB.prepare("select revoked_at from sessions where id = ?")
      .bind(sessionId)
      .first<{ revoked_at: number | null }>()
  )?.revoked_at === null;

describe("DELETE /api/chirps/{id} racing the end of its session", () => {
  it("returns 401 and keeps the chirp when the session ends before the delete lands", async () => {
    const gate = gatedD1();
    const gated = appWith({}, { DB: gate.db });
    const user = await newUser();
    const chirp = await (await postChirp(api, user.token, "keep me")).json<{ id: string }>();
    const held = gate.hold(/^delete from "chirps"/);
    const del = gated(`/api/chirps/${chirp.id}`, { method: "DELETE", headers: bearer(user.token) });
    await held.arrived;
    expect((await revoke(api, user.refreshToken)).status).toBe(204);
    held.release();

    const res = await del;
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: INVALID_ACCESS_TOKEN });
    expect((await api(`/api/chirps/${chirp.id}`)).status).toBe(200);
  });
});

describe("DELETE /api/sessions/{id} racing the end of the caller's session", () => {
  it("returns 401 and leaves the other session live", async () => {
    const gate = gatedD1();
    const gated = appWith({}, { DB: gate.db });
    const user = await newUser();
    const other = await (await api("/api/login", json({ email: user.email, password: PASSWORD }))).json<{
      token: string;
    }>();
    const otherId = sessionIdOf(other.token);
    const held = gate.hold(/^update "sessions"/);
    const end = gated(`/api/sessions/${otherId}`, { method: "DELETE", headers: bearer(user.token) });
    await held.arrived;
    expect((await revoke(api, user.refreshToken)).status).toBe(204);
    held.release();

    const res = await end;
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: INVALID_ACCESS_TOKEN });
    expect(await sessionLive(otherId)).toBe(true);
  });
});

describe("DELETE /api/sessions racing the end of the caller's session", () => {
  it("returns 401 and ends no other session", async () => {
    const gate = gatedD1();
    const gated = appWith({}, { DB: gate.db });
    const user = await newUser();
    const other = await (await api("/api/login", json({ email: user.email, password: PASSWORD }))).json<{
      token: string;
    }>();
    const held = gate.hold(/^update "sessions"/);
    const endAll = gated("/api/sessions", { method: "DELETE", headers: bearer(user.token) });
    await held.arrived;
    expect((await revoke(api, user.refreshToken)).status).toBe(204);
    held.release();

    const res = await endAll;
    expect(res.status).toBe(401);
    expect(await sessionLive(sessionIdOf(other.token))).toBe(true);
  });
});
