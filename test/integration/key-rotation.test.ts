// Threat: a leaked or aging signing key. JWT_SECRET signs; JWT_PREVIOUS_SECRETS still verify,
// so a key can be rotated without logging anyone out, then dropped to kill every old token.

import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { errorBody, INVALID_ACCESS_TOKEN } from "../../src/errors";
import { appWith, decodeJwt, newUser, postChirp, ROTATION_SECRETS } from "../helpers";

const { old: OLD, new: NEW } = ROTATION_SECRETS;
const kidOf = (token: string) => decodeJwt(token).header.kid;

describe("signing key rotation", () => {
  it("keeps old tokens valid after a rotation while new tokens are signed with the new key", async () => {
    const before = appWith({}, { JWT_SECRET: OLD });
    const user = await newUser(before);

    const after = appWith({}, { JWT_SECRET: NEW, JWT_PREVIOUS_SECRETS: OLD });
    expect((await postChirp(after, user.token, "old token, new deployment")).status).toBe(201);

    const refreshed = await after("/api/refresh", {
      method: "POST",
      headers: { Authorization: `Bearer ${user.refreshToken}` },
    });
    const { token } = await refreshed.json<{ token: string }>();
    expect(kidOf(token)).not.toBe(kidOf(user.token));
    expect((await postChirp(after, token, "new token")).status).toBe(201);
    // The old deployment does not know the new key.
    expect((await postChirp(before, token, "x")).status).toBe(401);
  });

  it("rejects old tokens once the previous secret is dropped", async () => {
    const user = await newUser(appWith({}, { JWT_SECRET: OLD }));
    const res = await postChirp(appWith({}, { JWT_SECRET: NEW }), user.token, "x");
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(errorBody(INVALID_ACCESS_TOKEN));
  });

  it("rejects a token with an unknown kid, or none, even if signed with a trusted secret", async () => {
    const app = appWith({}, { JWT_SECRET: NEW, JWT_PREVIOUS_SECRETS: OLD });
    const user = await newUser(app);
    const payload = decodeJwt(user.token).claims;
    const k = btoa(NEW).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const unknownKid = await sign(payload, { kty: "oct", k, alg: "HS256", kid: "not-a-known-kid" }, "HS256");
    const noKid = await sign(payload, NEW, "HS256");
    for (const token of [unknownKid, noKid]) expect((await postChirp(app, token, "x")).status).toBe(401);
  });
});
