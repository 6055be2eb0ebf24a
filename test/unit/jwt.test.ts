import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { signAccessToken, verifyAccessToken } from "../../src/crypto/jwt";

const secret = "unit-test-secret-0123456789abcdef0123456789";
const issuer = "chirpy-access";
const now = Date.UTC(2026, 0, 1);
const iat = Math.floor(now / 1000);
const options = { secret, issuer, ttlSeconds: 3600 };

const b64url = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

describe("signAccessToken / verifyAccessToken", () => {
  it("round-trips the user id with iss, sub, iat and exp = iat + ttl", async () => {
    const token = await signAccessToken("user-1", now, options);
    const [header, payload] = token.split(".").slice(0, 2).map((part) => JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/"))));
    expect(header).toEqual({ alg: "HS256", typ: "JWT" });
    expect(payload).toEqual({ iss: issuer, sub: "user-1", iat, exp: iat + 3600 });
    expect(await verifyAccessToken(token, now, options)).toBe("user-1");
  });

  it("is valid until the last second before exp and invalid from exp on", async () => {
    const token = await signAccessToken("user-1", now, options);
    expect(await verifyAccessToken(token, now + 3599_000, options)).toBe("user-1");
    expect(await verifyAccessToken(token, now + 3600_000, options)).toBeNull();
  });

  it("rejects a wrong secret, a wrong issuer and a tampered payload", async () => {
    const token = await signAccessToken("user-1", now, options);
    expect(await verifyAccessToken(token, now, { secret: `${secret}x`, issuer })).toBeNull();
    expect(await verifyAccessToken(token, now, { secret, issuer: "someone-else" })).toBeNull();
    const [h, , s] = token.split(".");
    const forged = `${h}.${b64url({ iss: issuer, sub: "admin", iat, exp: iat + 3600 })}.${s}`;
    expect(await verifyAccessToken(forged, now, options)).toBeNull();
  });

  it("rejects alg none and every alg other than HS256", async () => {
    const claims = { iss: issuer, sub: "user-1", iat, exp: iat + 3600 };
    const none = `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims)}.`;
    expect(await verifyAccessToken(none, now, options)).toBeNull();
    const hs512 = await sign(claims, secret, "HS512");
    expect(await verifyAccessToken(hs512, now, options)).toBeNull();
  });

  it("rejects a token without exp, without sub, or with a non-numeric exp", async () => {
    for (const claims of [
      { iss: issuer, sub: "user-1", iat },
      { iss: issuer, iat, exp: iat + 3600 },
      { iss: issuer, sub: "user-1", iat, exp: String(iat + 3600) },
      { sub: "user-1", iat, exp: iat + 3600 },
    ]) {
      const token = await sign(claims as unknown as Parameters<typeof sign>[0], secret, "HS256");
      expect(await verifyAccessToken(token, now, options), JSON.stringify(claims)).toBeNull();
    }
  });

  it("rejects garbage without throwing", async () => {
    for (const token of ["", "a.b", "a.b.c", "....", "x".repeat(5000), "0".repeat(64)]) {
      expect(await verifyAccessToken(token, now, options)).toBeNull();
    }
  });
});
