import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { errorBody, invalidField, SESSION_NOT_FOUND } from "../../src/errors";
import {
  api,
  appWith,
  bearer,
  fixedClock,
  json,
  newUser,
  PASSWORD,
  postChirp,
  put,
  refresh,
  uniqueEmail,
} from "../helpers";

interface SessionJson {
  id: string;
  created_at: string;
  last_used_at: string;
  expires_at: string;
  user_agent: string | null;
  current: boolean;
}

const sessionsOf = async (token: string) => {
  const res = await api("/api/sessions", { headers: bearer(token) });
  expect(res.status).toBe(200);
  return res.json<SessionJson[]>();
};
const loginAgain = async (email: string, password = PASSWORD, userAgent = "second-device/1.0") =>
  (await api("/api/login", json({ email, password }, { "User-Agent": userAgent }))).json<{
    token: string;
    refresh_token: string;
  }>();
const del = (path: string, token: string) => api(path, { method: "DELETE", headers: bearer(token) });

describe("GET /api/sessions", () => {
  it("lists the caller's live sessions, newest first, marking the current one, without any token", async () => {
    const clock = fixedClock();
    const app = appWith({ clock });
    const user = await newUser(app);
    clock.advance(60);
    const second = await (
      await app("/api/login", json({ email: user.email, password: PASSWORD }, { "User-Agent": "curl/8.5.0" }))
    ).json<{ token: string; refresh_token: string }>();

    const res = await app("/api/sessions", { headers: bearer(second.token) });
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const secret of [user.refreshToken, second.refresh_token, user.token, second.token]) {
      expect(text).not.toContain(secret);
    }
    const sessions = JSON.parse(text) as SessionJson[];
    expect(sessions).toHaveLength(2);
    expect(Object.keys(sessions[0]).sort()).toEqual([
      "created_at",
      "current",
      "expires_at",
      "id",
      "last_used_at",
      "user_agent",
    ]);
    expect(sessions[0]).toMatchObject({
      current: true,
      user_agent: "curl/8.5.0",
      created_at: new Date(clock.now()).toISOString(),
    });
    expect(sessions[1]).toMatchObject({ current: false });
    expect(Date.parse(sessions[0].expires_at) - Date.parse(sessions[0].created_at)).toBe(5_184_000_000);
    const rows = await env.DB.prepare("select token_hash from refresh_tokens where user_id = ?")
      .bind(user.id)
      .all<{ token_hash: string }>();
    for (const row of rows.results) expect(text).not.toContain(row.token_hash);
  });

  it("stamps last_used_at on refresh at most once per SESSION_TOUCH_INTERVAL_SECONDS", async () => {
    const clock = fixedClock();
    const app = appWith({ clock });
    const user = await newUser(app);
    const loggedIn = new Date(clock.now()).toISOString();
    const lastUsed = async () =>
      (await (await app("/api/sessions", { headers: bearer(user.token) })).json<SessionJson[]>())[0].last_used_at;
    const refreshNow = () => refresh(app, user.refreshToken);

    clock.advance(120);
    expect((await refreshNow()).status).toBe(200);
    expect(await lastUsed()).toBe(loggedIn); // within 300 s of the last stamp: a read, no write
    clock.advance(180);
    expect((await refreshNow()).status).toBe(200);
    const stamped = new Date(clock.now()).toISOString();
    expect(await lastUsed()).toBe(stamped);
    clock.advance(60);
    expect((await refreshNow()).status).toBe(200);
    expect(await lastUsed()).toBe(stamped);
  });

  it("stamps every refresh with SESSION_TOUCH_INTERVAL_SECONDS=0", async () => {
    const clock = fixedClock();
    const app = appWith({ clock }, { SESSION_TOUCH_INTERVAL_SECONDS: "0" });
    const user = await newUser(app);
    clock.advance(1);
    await refresh(app, user.refreshToken);
    const [session] = await (await app("/api/sessions", { headers: bearer(user.token) })).json<SessionJson[]>();
    expect(session.last_used_at).toBe(new Date(clock.now()).toISOString());
  });

  it("returns 401 without an access token", async () => {
    const res = await api("/api/sessions");
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: expect.any(String), code: expect.any(String) });
  });
});

describe("DELETE /api/sessions/{id}", () => {
  it("ends one session: its access and refresh tokens stop at once, the others keep working", async () => {
    const user = await newUser();
    const other = await loginAgain(user.email);
    const target = (await sessionsOf(other.token)).find((s) => !s.current);
    if (!target) throw new Error("expected a second session");

    const res = await del(`/api/sessions/${target.id}`, other.token);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");

    expect((await postChirp(api, user.token, "ended session")).status).toBe(401);
    expect((await refresh(api, user.refreshToken)).status).toBe(401);
    expect((await postChirp(api, other.token, "still here")).status).toBe(201);
    expect((await refresh(api, other.refresh_token)).status).toBe(200);
    expect((await sessionsOf(other.token)).map((s) => s.id)).not.toContain(target.id);
  });

  it("returns 404 for an unknown session, one already ended, or someone else's", async () => {
    const [alice, mallory] = [await newUser(), await newUser()];
    const [aliceSession] = await sessionsOf(alice.token);
    for (const id of [crypto.randomUUID(), aliceSession.id]) {
      const res = await del(`/api/sessions/${id}`, mallory.token);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual(errorBody(SESSION_NOT_FOUND));
    }
    expect((await postChirp(api, alice.token, "untouched")).status).toBe(201);
    const extra = await loginAgain(alice.email);
    expect((await del(`/api/sessions/${aliceSession.id}`, extra.token)).status).toBe(204);
    expect((await del(`/api/sessions/${aliceSession.id}`, extra.token)).status).toBe(404);
  });

  it("returns 400 for a malformed id", async () => {
    const user = await newUser();
    const res = await del("/api/sessions/not-a-uuid", user.token);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(errorBody(invalidField.notUuid("session id")));
  });
});

describe("DELETE /api/sessions", () => {
  it("logs out everywhere: every session of the caller ends, other users' do not", async () => {
    const [user, bystander] = [await newUser(), await newUser()];
    const second = await loginAgain(user.email);
    const res = await del("/api/sessions", user.token);
    expect(res.status).toBe(204);
    for (const token of [user.token, second.token]) expect((await postChirp(api, token, "x")).status).toBe(401);
    for (const token of [user.refreshToken, second.refresh_token]) expect((await refresh(api, token)).status).toBe(401);
    expect((await postChirp(api, bystander.token, "still in")).status).toBe(201);
    // A fresh login works afterwards.
    expect((await api("/api/login", json({ email: user.email, password: PASSWORD }))).status).toBe(200);
  });
});

describe("credential changes and sessions", () => {
  it("a password change ends every session of the user", async () => {
    const user = await newUser();
    const second = await loginAgain(user.email);
    const res = await api("/api/users", put({ email: user.email, password: "a-new-password" }, user.token));
    expect(res.status).toBe(200);
    for (const token of [user.token, second.token]) expect((await postChirp(api, token, "x")).status).toBe(401);
    for (const token of [user.refreshToken, second.refresh_token]) expect((await refresh(api, token)).status).toBe(401);
  });

  it("an email-only change (same password) keeps the sessions", async () => {
    const user = await newUser();
    const email = uniqueEmail("renamed");
    const res = await api("/api/users", put({ email, password: PASSWORD }, user.token));
    expect(res.status).toBe(200);
    expect((await postChirp(api, user.token, "still valid")).status).toBe(201);
    expect((await refresh(api, user.refreshToken)).status).toBe(200);
  });

  it("a rejected change (409) ends nothing", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    expect((await api("/api/users", put({ email: alice.email, password: "different" }, bob.token))).status).toBe(409);
    expect((await postChirp(api, bob.token, "still valid")).status).toBe(201);
  });
});
