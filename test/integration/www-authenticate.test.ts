// Every 401 names its challenge (RFC 9110 §15.5.2, §11.6.1): "Bearer" when no token was sent,
// and error="invalid_token" when one was presented and refused (RFC 6750 §3, §3.1).

import { describe, expect, it } from "vitest";
import {
  errorBody,
  INCORRECT_CREDENTIALS,
  INVALID_ACCESS_TOKEN,
  INVALID_REFRESH_TOKEN,
  MISSING_BEARER,
} from "../../src/errors";
import { api, bearer, json, newUser, postChirp, refresh } from "../helpers";

const INVALID = 'Bearer error="invalid_token"';

describe("WWW-Authenticate on 401", () => {
  it.each([
    ["POST", "/api/chirps"],
    ["GET", "/api/sessions"],
    ["POST", "/api/refresh"],
    ["POST", "/api/revoke"],
    ["PUT", "/api/users"],
  ])("%s %s without a token: Bearer, no error code", async (method, path) => {
    const res = await api(path, { method });
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe("Bearer");
    expect(await res.json()).toEqual(errorBody(MISSING_BEARER));
  });

  it("a refused access token: invalid_token", async () => {
    const user = await newUser();
    const tampered = `${user.token.slice(0, -2)}xx`;
    for (const res of [
      await postChirp(api, tampered, "x"),
      await api("/api/sessions", { headers: bearer(tampered) }),
    ]) {
      expect(res.status).toBe(401);
      expect(res.headers.get("WWW-Authenticate")).toBe(INVALID);
      expect(await res.json()).toEqual(errorBody(INVALID_ACCESS_TOKEN));
    }
  });

  it("a refused refresh token: invalid_token", async () => {
    const res = await refresh(api, "0".repeat(64));
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe(INVALID);
    expect(await res.json()).toEqual(errorBody(INVALID_REFRESH_TOKEN));
  });

  it("a wrong password: Bearer, the scheme to use once logged in", async () => {
    const user = await newUser();
    const res = await api("/api/login", json({ email: user.email, password: "wrong" }));
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe("Bearer");
    expect(await res.json()).toEqual(errorBody(INCORRECT_CREDENTIALS));
  });

  it("the Polka webhook without its key: the ApiKey scheme it expects", async () => {
    const res = await api(
      "/api/polka/webhooks",
      json({ event: "user.upgraded", data: { user_id: crypto.randomUUID() } }),
    );
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe("ApiKey");
  });
});
