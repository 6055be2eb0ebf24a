import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/crypto/bytes";
import { errorBody, INVALID_REFRESH_TOKEN } from "../../src/errors";
import { api, appWith, bearer, fixedClock, json, newUser, postChirp } from "../helpers";

const refresh = (fetcher: typeof api, token: string | null, headers?: Record<string, string>) =>
  fetcher("/api/refresh", { method: "POST", headers: headers ?? (token === null ? {} : bearer(token)) });
const revoke = (fetcher: typeof api, headers: Record<string, string>) =>
  fetcher("/api/revoke", { method: "POST", headers });

interface TokenRow {
  token_hash: string;
  user_id: string;
  created_at: number;
  updated_at: number;
  expires_at: number;
  revoked_at: number | null;
}

const rowsOf = async (userId: string) =>
  (await env.DB.prepare("select * from refresh_tokens where user_id = ?").bind(userId).all<TokenRow>()).results;

describe("POST /api/refresh", () => {
  it("returns a new access token for the token's user, not cacheable", async () => {
    const user = await newUser();
    const res = await refresh(api, user.refreshToken);
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const body = await res.json<{ token: string }>();
    expect(Object.keys(body)).toEqual(["token"]);
    expect((await postChirp(api, body.token, "fresh token works")).status).toBe(201);
    const chirp = await (await postChirp(api, body.token, "mine")).json<{ user_id: string }>();
    expect(chirp.user_id).toBe(user.id);
  });

  it.each([
    ["no Authorization header", {}],
    ["a Basic scheme", { Authorization: "Basic dXNlcjpwYXNz" }],
    ["an empty Bearer", { Authorization: "Bearer " }],
    ["Bearer with no token", { Authorization: "Bearer" }],
    ["an unknown token", { Authorization: `Bearer ${"ab".repeat(32)}` }],
    ["a malformed token", { Authorization: "Bearer not-a-refresh-token" }],
  ])("returns 401 for %s", async (_name, headers) => {
    const res = await refresh(api, null, headers);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: expect.any(String), code: expect.any(String) });
  });

  it("returns 401 for an access token presented as a refresh token", async () => {
    const user = await newUser();
    const res = await refresh(api, user.token);
    expect(res.status).toBe(401);
  });

  it("expires after REFRESH_TOKEN_TTL_SECONDS (60 days), using the injected clock", async () => {
    const clock = fixedClock();
    const app = appWith({ clock });
    const user = await newUser(app);
    clock.advance(60 * 24 * 3600 - 1);
    expect((await refresh(app, user.refreshToken)).status).toBe(200);
    clock.advance(1);
    const res = await refresh(app, user.refreshToken);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(errorBody(INVALID_REFRESH_TOKEN));
  });

  it("stores only the SHA-256 of the token, with a 60-day expiry", async () => {
    const clock = fixedClock();
    const user = await newUser(appWith({ clock }));
    const [row] = await rowsOf(user.id);
    expect(row.token_hash).toBe(await sha256Hex(user.refreshToken));
    expect(JSON.stringify(await rowsOf(user.id))).not.toContain(user.refreshToken);
    expect(row).toMatchObject({ created_at: clock.now(), updated_at: clock.now(), revoked_at: null });
    expect(row.expires_at - row.created_at).toBe(5_184_000 * 1000);
  });

  it("does not accept the stored hash as a token", async () => {
    const user = await newUser();
    const [row] = await rowsOf(user.id);
    expect((await refresh(api, row.token_hash)).status).toBe(401);
  });

  it("stops working when the user is deleted, and the tokens go with the user", async () => {
    const user = await newUser();
    await env.DB.prepare("delete from users where id = ?").bind(user.id).run();
    expect(await rowsOf(user.id)).toEqual([]);
    expect((await refresh(api, user.refreshToken)).status).toBe(401);
  });
});

describe("POST /api/revoke", () => {
  it("returns 204 with an empty body and stamps revoked_at and updated_at", async () => {
    const clock = fixedClock();
    const app = appWith({ clock });
    const user = await newUser(app);
    clock.advance(90);
    const res = await revoke(app, bearer(user.refreshToken));
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    const [row] = await rowsOf(user.id);
    expect(row.revoked_at).toBe(clock.now());
    expect(row.updated_at).toBe(clock.now());
    expect(row.created_at).toBe(clock.now() - 90_000);
    expect((await refresh(app, user.refreshToken)).status).toBe(401);
  });

  it("keeps the first revoked_at when revoked twice", async () => {
    const clock = fixedClock();
    const app = appWith({ clock });
    const user = await newUser(app);
    await revoke(app, bearer(user.refreshToken));
    const first = clock.now();
    clock.advance(60);
    expect((await revoke(app, bearer(user.refreshToken))).status).toBe(204);
    const [row] = await rowsOf(user.id);
    expect(row.revoked_at).toBe(first);
    expect(row.updated_at).toBe(first);
  });

  it("revokes only the presented token, not the user's other logins", async () => {
    const user = await newUser();
    const second = await (await api("/api/login", json({ email: user.email, password: user.password }))).json<{
      refresh_token: string;
    }>();
    await revoke(api, bearer(user.refreshToken));
    expect((await refresh(api, user.refreshToken)).status).toBe(401);
    expect((await refresh(api, second.refresh_token)).status).toBe(200);
  });

  it("answers 204 for an unknown or malformed token (RFC 7009) and changes nothing", async () => {
    const user = await newUser();
    for (const token of ["cd".repeat(32), "not-a-token"]) {
      const res = await revoke(api, bearer(token));
      expect(res.status).toBe(204);
    }
    expect((await rowsOf(user.id))[0].revoked_at).toBeNull();
  });

  it.each([
    ["no Authorization header", {}],
    ["a Basic scheme", { Authorization: "Basic dXNlcjpwYXNz" }],
    ["an empty Bearer", { Authorization: "Bearer " }],
  ])("returns 401 for %s", async (_name, headers) => {
    const res = await revoke(api, headers);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: expect.stringContaining("Authorization"), code: expect.any(String) });
  });
});
