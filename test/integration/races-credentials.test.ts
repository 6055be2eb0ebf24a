// Races between a credential check and the write that relies on it. Each test holds one
// request's statement at a gate (test/d1.ts) while another request changes what was checked,
// then releases it: the held write must not land on a stale check.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { errorBody, INCORRECT_CREDENTIALS, INVALID_ACCESS_TOKEN } from "../../src/errors";
import { requestHeldAt } from "../d1";
import { api, bearer, json, newUser, PASSWORD, put, refresh, revoke, rowCount, uniqueEmail } from "../helpers";

const liveSessions = (userId: string) => rowCount("sessions", "user_id = ? and revoked_at is null", userId);
const userRow = (userId: string) =>
  env.DB.prepare("select email, hashed_password from users where id = ?")
    .bind(userId)
    .first<{ email: string; hashed_password: string }>();

describe("POST /api/login racing a password change", () => {
  it("returns 401 and opens no session when the password changes between the check and the session write", async () => {
    const user = await newUser();
    // Held once the old password is verified, just before the session is written.
    const login = await requestHeldAt(
      /^insert into "sessions"/,
      "/api/login",
      json({ email: user.email, password: PASSWORD }),
    );

    const change = await api("/api/users", put({ email: user.email, password: "a brand-new password" }, user.token));
    expect(change.status).toBe(200);

    const res = await login.release();
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(errorBody(INCORRECT_CREDENTIALS));
    expect(await liveSessions(user.id)).toBe(0);
    const tokens = await env.DB.prepare(
      "select count(*) as n from refresh_tokens where user_id = ? and revoked_at is null",
    )
      .bind(user.id)
      .first<{ n: number }>();
    // Only the first login's token row remains, and its session is ended.
    expect(tokens?.n).toBe(1);
  });

  it("returns 401 when the account is deleted between the check and the session write", async () => {
    const user = await newUser();
    const login = await requestHeldAt(
      /^insert into "sessions"/,
      "/api/login",
      json({ email: user.email, password: PASSWORD }),
    );
    await env.DB.prepare("delete from users where id = ?").bind(user.id).run();

    const res = await login.release();
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(errorBody(INCORRECT_CREDENTIALS));
    expect(await rowCount("sessions", "user_id = ?", user.id)).toBe(0);
  });

  it("succeeds when nothing changes while it waits (the gate alone changes nothing)", async () => {
    const user = await newUser();
    const login = await requestHeldAt(
      /^insert into "sessions"/,
      "/api/login",
      json({ email: user.email, password: PASSWORD }),
    );
    const res = await login.release();
    expect(res.status).toBe(200);
    const body = await res.json<{ refresh_token: string }>();
    expect((await refresh(api, body.refresh_token)).status).toBe(200);
    expect(await liveSessions(user.id)).toBe(2);
  });
});

describe("PUT /api/users racing the end of its session", () => {
  it("returns 401 and changes nothing when the session ends (log out everywhere) before the update lands", async () => {
    const victim = await newUser();
    const before = await userRow(victim.id);
    // The owner's other device.
    const owner = await (await api("/api/login", json({ email: victim.email, password: PASSWORD }))).json<{
      token: string;
    }>();

    // Held once the stolen token's session was checked, just before the update.
    const takeover = await requestHeldAt(
      /^update "users"/,
      "/api/users",
      put({ email: uniqueEmail("attacker"), password: "attacker-chosen" }, victim.token),
    );
    const logout = await api("/api/sessions", { method: "DELETE", headers: bearer(owner.token) });
    expect(logout.status).toBe(204);

    const res = await takeover.release();
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(errorBody(INVALID_ACCESS_TOKEN));
    expect(await userRow(victim.id)).toEqual(before);
    expect((await api("/api/login", json({ email: victim.email, password: PASSWORD }))).status).toBe(200);
  });

  it("returns 401 for an email-only change when the session is revoked before the update lands", async () => {
    const user = await newUser();
    const before = await userRow(user.id);
    const change = await requestHeldAt(
      /^update "users"/,
      "/api/users",
      put({ email: uniqueEmail("renamed"), password: PASSWORD }, user.token),
    );
    expect((await revoke(api, user.refreshToken)).status).toBe(204);

    const res = await change.release();
    expect(res.status).toBe(401);
    expect(await userRow(user.id)).toEqual(before);
  });

  it("a refused change does not end the user's other sessions", async () => {
    const user = await newUser();
    const other = await (await api("/api/login", json({ email: user.email, password: PASSWORD }))).json<{
      token: string;
    }>();
    const change = await requestHeldAt(
      /^update "users"/,
      "/api/users",
      put({ email: user.email, password: "another new password" }, user.token),
    );
    expect((await revoke(api, user.refreshToken)).status).toBe(204);

    expect((await change.release()).status).toBe(401);
    expect((await api("/api/sessions", { headers: bearer(other.token) })).status).toBe(200);
    expect(await liveSessions(user.id)).toBe(1);
  });
});
