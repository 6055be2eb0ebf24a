// Threat: one user's session or token working for another, or a session id chosen by an
// attacker. Session ids are minted by the server at login, bound to the user in the signed
// token (sid + sub) and checked against the session's owner on every request.

import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { signingKeyFor } from "../../src/crypto/keys";
import { api, bearer, decodeJwt, json, newUser, PASSWORD, postChirp, refresh } from "../helpers";

const sessionIds = async (token: string) =>
  (await (await api("/api/sessions", { headers: bearer(token) })).json<{ id: string }[]>()).map((s) => s.id);
const claimsOf = (token: string) => decodeJwt(token).claims;

describe("sessions are bound to their user", () => {
  it("mints a new session on every login, whatever token the client already holds", async () => {
    const user = await newUser();
    const again = await api("/api/login", json({ email: user.email, password: PASSWORD }, bearer(user.token)));
    const { token } = await again.json<{ token: string }>();
    expect(claimsOf(token).sid).not.toBe(claimsOf(user.token).sid);
    expect(await sessionIds(token)).toHaveLength(2);
  });

  it("does not let one user list or end another user's sessions", async () => {
    const [alice, mallory] = [await newUser(), await newUser()];
    const [aliceSession] = await sessionIds(alice.token);
    expect(await sessionIds(mallory.token)).not.toContain(aliceSession);
    expect(
      (await api(`/api/sessions/${aliceSession}`, { method: "DELETE", headers: bearer(mallory.token) })).status,
    ).toBe(404);
    expect((await postChirp(api, alice.token, "still mine")).status).toBe(201);
  });

  it("refuses a validly signed token that pairs one user with another user's session", async () => {
    // Even with the signing key (the worst case), sub and sid must belong together.
    const [alice, mallory] = [await newUser(), await newUser()];
    const key = await signingKeyFor(env.JWT_SECRET);
    const k = btoa(env.JWT_SECRET).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const mixed = await sign(
      { ...claimsOf(mallory.token), sid: claimsOf(alice.token).sid },
      { kty: "oct", k, alg: "HS256", kid: key.kid },
      "HS256",
    );
    expect((await postChirp(api, mixed, "x")).status).toBe(401);
  });

  it("issues access tokens from a refresh token only for that token's user and session", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const res = await refresh(api, alice.refreshToken);
    const { token } = await res.json<{ token: string }>();
    expect(claimsOf(token)).toMatchObject({ sub: alice.id, sid: claimsOf(alice.token).sid });
    expect(claimsOf(token).sub).not.toBe(bob.id);
  });
});
