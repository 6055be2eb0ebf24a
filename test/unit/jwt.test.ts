import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { signAccessToken, verifyAccessToken } from "../../src/crypto/jwt";
import { keyRingFor, signingKeyFor } from "../../src/crypto/keys";

const secret = "unit-test-secret-0123456789abcdef0123456789";
const issuer = "chirpy-access";
const now = Date.UTC(2026, 0, 1);
const iat = Math.floor(now / 1000);

const b64url = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const parts = (token: string) =>
  token
    .split(".")
    .slice(0, 2)
    .map((part) => JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/"))));

async function setup() {
  const keys = await keyRingFor(secret, []);
  const signOptions = { key: keys.current, issuer, ttlSeconds: 3600 };
  const verifyOptions = { keys, issuer };
  return { keys, signOptions, verifyOptions };
}

/** A token signed with our secret and kid but arbitrary claims/alg. */
async function forge(claims: Record<string, unknown>, alg: "HS256" | "HS384" | "HS512" = "HS256") {
  const key = await signingKeyFor(secret);
  const jwk = {
    kty: "oct",
    k: btoa(secret).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""),
    alg,
    kid: key.kid,
  };
  return sign(claims as Parameters<typeof sign>[0], jwk, alg);
}

describe("signAccessToken / verifyAccessToken", () => {
  it("round-trips user and session with iss, sub, sid, amr, iat and exp = iat + ttl, and a kid header", async () => {
    const { keys, signOptions, verifyOptions } = await setup();
    const token = await signAccessToken("user-1", "session-1", now, signOptions, ["hwk"]);
    // Compact serialization: three unpadded base64url parts (RFC 7515 §7.1).
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const [header, payload] = parts(token);
    expect(header).toEqual({ alg: "HS256", typ: "JWT", kid: keys.current.kid });
    expect(payload).toEqual({ iss: issuer, sub: "user-1", sid: "session-1", amr: ["hwk"], iat, exp: iat + 3600 });
    expect(await verifyAccessToken(token, now, verifyOptions)).toEqual({
      ok: true,
      userId: "user-1",
      sessionId: "session-1",
    });
  });

  it("derives a kid that does not reveal the secret and differs per secret", async () => {
    const a = await signingKeyFor(secret);
    const b = await signingKeyFor(`${secret}-2`);
    expect(a.kid).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(a.kid).not.toBe(b.kid);
    expect(secret).not.toContain(a.kid);
    expect((await signingKeyFor(secret)).kid).toBe(a.kid);
    // Ready keys only: nothing in a key holds the raw secret.
    expect(Object.keys(a).sort()).toEqual(["cryptoKey", "deviceKey", "kid", "successorKey"]);
    expect(a.cryptoKey.extractable).toBe(false);
  });

  it("is valid until the last second before exp and invalid from exp on", async () => {
    const { signOptions, verifyOptions } = await setup();
    const token = await signAccessToken("user-1", "s", now, signOptions);
    expect(await verifyAccessToken(token, now + 3599_000, verifyOptions)).toMatchObject({ ok: true });
    expect(await verifyAccessToken(token, now + 3600_000, verifyOptions)).toMatchObject({ reason: "expired" });
  });

  it("rejects a wrong issuer and a tampered payload", async () => {
    const { signOptions, verifyOptions, keys } = await setup();
    const token = await signAccessToken("user-1", "s", now, signOptions);
    expect(await verifyAccessToken(token, now, { keys, issuer: "someone-else" })).toMatchObject({ reason: "issuer" });
    const [h, , s] = token.split(".");
    const forged = `${h}.${b64url({ iss: issuer, sub: "admin", sid: "s", iat, exp: iat + 3600 })}.${s}`;
    expect(await verifyAccessToken(forged, now, verifyOptions)).toMatchObject({ reason: "signature" });
  });

  it("rejects a token signed by a key that is not in the ring, even with a known kid", async () => {
    const { verifyOptions, keys } = await setup();
    const other = await signingKeyFor("another-secret-that-is-long-enough-0000");
    const token = await signAccessToken("user-1", "s", now, {
      key: { ...other, kid: keys.current.kid },
      issuer,
      ttlSeconds: 60,
    });
    expect(await verifyAccessToken(token, now, verifyOptions)).toMatchObject({ reason: "signature" });
  });

  it("rejects alg none and every alg other than HS256", async () => {
    const { verifyOptions, keys } = await setup();
    const claims = { iss: issuer, sub: "user-1", sid: "s", iat, exp: iat + 3600 };
    const none = `${b64url({ alg: "none", typ: "JWT", kid: keys.current.kid })}.${b64url(claims)}.`;
    expect(await verifyAccessToken(none, now, verifyOptions)).toMatchObject({ reason: "alg" });
    expect(await verifyAccessToken(await forge(claims, "HS512"), now, verifyOptions)).toMatchObject({ reason: "alg" });
    expect(await verifyAccessToken(await forge(claims, "HS256"), now, verifyOptions)).toMatchObject({ ok: true });
  });

  it("rejects a token without exp, sub or sid, or with a non-numeric exp", async () => {
    const { verifyOptions } = await setup();
    for (const claims of [
      { iss: issuer, sub: "user-1", sid: "s", iat },
      { iss: issuer, sid: "s", iat, exp: iat + 3600 },
      { iss: issuer, sub: "user-1", iat, exp: iat + 3600 },
      { iss: issuer, sub: "user-1", sid: "s", iat, exp: String(iat + 3600) },
      { sub: "user-1", sid: "s", iat, exp: iat + 3600 },
    ]) {
      expect(await verifyAccessToken(await forge(claims), now, verifyOptions), JSON.stringify(claims)).toMatchObject({
        ok: false,
      });
    }
  });

  it("rejects a token without a kid or with an unknown kid", async () => {
    const { verifyOptions } = await setup();
    const claims = { iss: issuer, sub: "user-1", sid: "s", iat, exp: iat + 3600 };
    expect(await verifyAccessToken(await sign(claims, secret, "HS256"), now, verifyOptions)).toEqual({
      ok: false,
      reason: "unknown_kid",
      kid: null,
    });
    const unknownKid = await sign(claims, { kty: "oct", k: "c2VjcmV0", alg: "HS256", kid: "nope" }, "HS256");
    expect(await verifyAccessToken(unknownKid, now, verifyOptions)).toEqual({
      ok: false,
      reason: "unknown_kid",
      kid: "nope",
    });
  });

  it("rejects garbage without throwing", async () => {
    const { verifyOptions } = await setup();
    for (const token of ["", "a.b", "a.b.c", "....", "x".repeat(5000), "0".repeat(64)]) {
      expect(await verifyAccessToken(token, now, verifyOptions)).toMatchObject({ ok: false });
    }
  });
});
