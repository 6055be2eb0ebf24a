import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { errorBody, INVALID_ACCESS_TOKEN, MISCONFIGURED } from "../../src/errors";
import { api, appWith, bearer, fixedClock, json, newUser, postChirp, refresh, uniqueEmail } from "../helpers";

const SECRET = env.JWT_SECRET;
const b64url = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const nowSeconds = () => Math.floor(Date.now() / 1000);

async function expect401(token: string) {
  const res = await postChirp(api, token, "should not land");
  expect(res.status).toBe(401);
  expect(await res.json()).toEqual(errorBody(INVALID_ACCESS_TOKEN));
}

describe("access tokens on protected routes", () => {
  it("expires after ACCESS_TOKEN_TTL_SECONDS (1 hour), using the injected clock", async () => {
    const clock = fixedClock();
    const app = appWith({ clock });
    const user = await newUser(app);
    clock.advance(3599);
    expect((await postChirp(app, user.token, "still valid")).status).toBe(201);
    clock.advance(1);
    const res = await postChirp(app, user.token, "expired");
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(errorBody(INVALID_ACCESS_TOKEN));
  });

  it("rejects a token whose payload was tampered with", async () => {
    const [victim, attacker] = [await newUser(), await newUser()];
    const [h, , s] = attacker.token.split(".");
    const claims = { iss: "chirpy-access", sub: victim.id, iat: nowSeconds(), exp: nowSeconds() + 3600 };
    await expect401(`${h}.${b64url(claims)}.${s}`);
  });

  it("rejects a token signed with another secret", async () => {
    const user = await newUser();
    const claims = { iss: "chirpy-access", sub: user.id, iat: nowSeconds(), exp: nowSeconds() + 3600 };
    await expect401(await sign(claims, "another-secret-that-is-long-enough-000000", "HS256"));
  });

  it("rejects alg none and other algorithms", async () => {
    const user = await newUser();
    const claims = { iss: "chirpy-access", sub: user.id, iat: nowSeconds(), exp: nowSeconds() + 3600 };
    await expect401(`${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims)}.`);
    await expect401(await sign(claims, SECRET, "HS512"));
    await expect401(await sign(claims, SECRET, "HS384"));
  });

  it("rejects a correctly signed token without exp, with a wrong issuer, or already expired", async () => {
    const user = await newUser();
    const base = { iss: "chirpy-access", sub: user.id, iat: nowSeconds() };
    await expect401(await sign(base, SECRET, "HS256"));
    await expect401(await sign({ ...base, iss: "someone-else", exp: nowSeconds() + 3600 }, SECRET, "HS256"));
    await expect401(await sign({ ...base, exp: nowSeconds() - 1 }, SECRET, "HS256"));
  });

  it("rejects a valid token whose user no longer exists with 401, not a foreign-key 500", async () => {
    const user = await newUser();
    await env.DB.prepare("delete from users where id = ?").bind(user.id).run();
    await expect401(user.token);
  });

  it("rejects a refresh token presented as an access token", async () => {
    const user = await newUser();
    await expect401(user.refreshToken);
  });
});

describe("a missing or short JWT_SECRET", () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    ["missing", ""],
    ["31 bytes", "x".repeat(31)],
  ])("fails closed (%s): token routes answer 500 and the log names the problem", async (_name, secret) => {
    const user = await newUser();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const app = appWith({}, { JWT_SECRET: secret });
    const calls = [
      app("/api/login", json({ email: user.email, password: user.password })),
      refresh(app, user.refreshToken),
      postChirp(app, user.token, "x"),
      app("/api/users", { ...json({ email: uniqueEmail(), password: "x" }, bearer(user.token)), method: "PUT" }),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual(errorBody(MISCONFIGURED));
    }
    const logged = errors.mock.calls.map((args) => args.join(" ")).join("\n");
    // Four failing requests, one line: the cause is logged once per isolate.
    expect(errors.mock.calls.filter((args) => args.join(" ").includes("JWT_SECRET"))).toHaveLength(1);
    expect(logged).toContain("JWT_SECRET is missing or shorter than 32 bytes");
    expect(logged).not.toContain(user.refreshToken);
    expect(logged).not.toContain(user.token);

    // Routes that need no key keep working.
    expect((await app("/api/users", json({ email: uniqueEmail(), password: "x" }))).status).toBe(201);
  });
});
