// Threat: a stolen refresh token (RFC 9700 §4.14). With rotation on, each refresh consumes the
// token; a consumed token replayed after the grace window ends the whole family.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { errorBody, INVALID_REFRESH_TOKEN } from "../../src/errors";
import { appWith, type Fetcher, fixedClock, json, newUser, PASSWORD, postChirp, refresh, revoke } from "../helpers";

const ROTATION = { REFRESH_TOKEN_ROTATION: "on" };
const refreshOk = async (app: Fetcher, token: string) => {
  const res = await refresh(app, token);
  expect(res.status).toBe(200);
  return res.json<{ token: string; refresh_token: string }>();
};

function rotatingApp() {
  const clock = fixedClock();
  return { clock, app: appWith({ clock }, ROTATION) };
}

describe("refresh token rotation", () => {
  it("returns a new refresh token with each access token and retires the old one", async () => {
    const { app, clock } = rotatingApp();
    const user = await newUser(app);
    const first = await refreshOk(app, user.refreshToken);
    expect(first.refresh_token).toMatch(/^[0-9a-f]{64}$/);
    expect(first.refresh_token).not.toBe(user.refreshToken);
    expect((await postChirp(app, first.token, "rotated")).status).toBe(201);

    clock.advance(11); // past the grace window: the old token is spent
    const second = await refreshOk(app, first.refresh_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
  });

  it("never extends the login's absolute lifetime", async () => {
    const { app, clock } = rotatingApp();
    const user = await newUser(app);
    let token = user.refreshToken;
    for (let day = 0; day < 59; day++) {
      clock.advance(24 * 3600);
      token = (await refreshOk(app, token)).refresh_token;
    }
    clock.advance(24 * 3600); // day 60 since the login
    expect((await refresh(app, token)).status).toBe(401);
  });

  it("stores neither the token nor its successor in a usable form", async () => {
    const { app } = rotatingApp();
    const user = await newUser(app);
    const next = await refreshOk(app, user.refreshToken);
    const rows = await env.DB.prepare("select * from refresh_tokens where user_id = ?").bind(user.id).all();
    const dump = JSON.stringify(rows.results);
    expect(dump).not.toContain(user.refreshToken);
    expect(dump).not.toContain(next.refresh_token);
    // Every stored value presented as a token is refused.
    for (const row of rows.results as Record<string, unknown>[]) {
      for (const value of Object.values(row)) {
        if (typeof value === "string" && /^[0-9a-f]{64}$/.test(value)) {
          expect((await refresh(app, value)).status).toBe(401);
        }
      }
    }
  });
});

describe("reuse detection", () => {
  it("gives the same successor to a replay inside the grace window", async () => {
    const { app, clock } = rotatingApp();
    const user = await newUser(app);
    const first = await refreshOk(app, user.refreshToken);
    clock.advance(10);
    const replay = await refreshOk(app, user.refreshToken);
    expect(replay.refresh_token).toBe(first.refresh_token);
    expect((await postChirp(app, replay.token, "both tabs still logged in")).status).toBe(201);
  });

  it("ends the whole family on a replay after the grace window: the live successor dies too", async () => {
    const { app, clock } = rotatingApp();
    const user = await newUser(app);
    const first = await refreshOk(app, user.refreshToken); // the thief or the user, we cannot tell
    clock.advance(30);
    const second = await refreshOk(app, first.refresh_token); // the chain moves on

    clock.advance(5);
    const replay = await refresh(app, user.refreshToken); // a spent token shows up again
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual(errorBody(INVALID_REFRESH_TOKEN));

    expect((await refresh(app, second.refresh_token)).status).toBe(401);
    expect((await postChirp(app, second.token, "family ended")).status).toBe(401);
    expect((await postChirp(app, user.token, "family ended")).status).toBe(401);
  });

  it("leaves the user's other families alone", async () => {
    const { app, clock } = rotatingApp();
    const user = await newUser(app);
    const other = await (await app("/api/login", json({ email: user.email, password: PASSWORD }))).json<{
      token: string;
      refresh_token: string;
    }>();
    await refreshOk(app, user.refreshToken);
    clock.advance(60);
    expect((await refresh(app, user.refreshToken)).status).toBe(401);
    expect((await postChirp(app, other.token, "other device")).status).toBe(201);
    const next = await refreshOk(app, other.refresh_token);
    expect((await postChirp(app, next.token, "other device, refreshed")).status).toBe(201);
  });

  it("ends the whole family when any of its tokens is revoked", async () => {
    const { app, clock } = rotatingApp();
    const user = await newUser(app);
    const first = await refreshOk(app, user.refreshToken);
    clock.advance(30);
    const second = await refreshOk(app, first.refresh_token);
    // Revoking the oldest, already-consumed token ends the live descendant as well.
    expect((await revoke(app, user.refreshToken)).status).toBe(204);
    expect((await refresh(app, second.refresh_token)).status).toBe(401);
    expect((await postChirp(app, second.token, "revoked")).status).toBe(401);
  });

  it("does not revive a revoked family inside the grace window", async () => {
    const { app } = rotatingApp();
    const user = await newUser(app);
    const first = await refreshOk(app, user.refreshToken);
    await revoke(app, first.refresh_token);
    expect((await refresh(app, user.refreshToken)).status).toBe(401);
  });
});
