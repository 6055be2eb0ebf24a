// Writes made on behalf of a session carry the session check with them: a request whose session
// ends while it is in flight (held at a gate, test/d1.ts) changes nothing and gets 401.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { errorBody, INVALID_ACCESS_TOKEN } from "../../src/errors";
import { requestHeldAt } from "../d1";
import { api, bearer, json, newUser, PASSWORD, postChirp, revoke, sessionIdOf } from "../helpers";

const sessionLive = async (sessionId: string) =>
  (
    await env.DB.prepare("select revoked_at from sessions where id = ?")
      .bind(sessionId)
      .first<{ revoked_at: number | null }>()
  )?.revoked_at === null;

describe("DELETE /api/chirps/{id} racing the end of its session", () => {
  it("returns 401 and keeps the chirp when the session ends before the delete lands", async () => {
    const user = await newUser();
    const chirp = await (await postChirp(api, user.token, "keep me")).json<{ id: string }>();
    const del = await requestHeldAt(/^delete from "chirps"/, `/api/chirps/${chirp.id}`, {
      method: "DELETE",
      headers: bearer(user.token),
    });
    expect((await revoke(api, user.refreshToken)).status).toBe(204);

    const res = await del.release();
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(errorBody(INVALID_ACCESS_TOKEN));
    expect((await api(`/api/chirps/${chirp.id}`)).status).toBe(200);
  });
});

describe("DELETE /api/sessions/{id} racing the end of the caller's session", () => {
  it("returns 401 and leaves the other session live", async () => {
    const user = await newUser();
    const other = await (await api("/api/login", json({ email: user.email, password: PASSWORD }))).json<{
      token: string;
    }>();
    const otherId = sessionIdOf(other.token);
    const end = await requestHeldAt(/^update "sessions"/, `/api/sessions/${otherId}`, {
      method: "DELETE",
      headers: bearer(user.token),
    });
    expect((await revoke(api, user.refreshToken)).status).toBe(204);

    const res = await end.release();
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(errorBody(INVALID_ACCESS_TOKEN));
    expect(await sessionLive(otherId)).toBe(true);
  });
});

describe("DELETE /api/sessions racing the end of the caller's session", () => {
  it("returns 401 and ends no other session", async () => {
    const user = await newUser();
    const other = await (await api("/api/login", json({ email: user.email, password: PASSWORD }))).json<{
      token: string;
    }>();
    const endAll = await requestHeldAt(/^update "sessions"/, "/api/sessions", {
      method: "DELETE",
      headers: bearer(user.token),
    });
    expect((await revoke(api, user.refreshToken)).status).toBe(204);

    const res = await endAll.release();
    expect(res.status).toBe(401);
    expect(await sessionLive(sessionIdOf(other.token))).toBe(true);
  });
});
