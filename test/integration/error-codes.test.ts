// Error answers carry a stable code beside the message: {"error": <message>, "code": <code>}. The
// codes are a contract (clients branch on them), so this pins them as literals for each kind of
// fault, while the course's clients keep reading `error` byte-for-byte.

import { describe, expect, it } from "vitest";
import { chirpTooLong, INCORRECT_CREDENTIALS, INVALID_JSON, invalidField, NOT_FOUND } from "../../src/errors";
import { api, appWith, bearer, fixedClock, json, newUser, postChirp } from "../helpers";

describe("error codes", () => {
  it.each([
    ["an unknown route", () => api("/api/nothing-here"), 404, NOT_FOUND, "not_found"],
    [
      "malformed JSON",
      () => api("/api/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{" }),
      400,
      INVALID_JSON,
      "invalid_json",
    ],
    [
      "a missing field",
      () => api("/api/login", json({ email: "a@b.co" })),
      400,
      invalidField.required("password"),
      "invalid_field",
    ],
    [
      "a wrong password",
      () => api("/api/login", json({ email: "nobody-codes@example.com", password: "x" })),
      401,
      INCORRECT_CREDENTIALS,
      "incorrect_credentials",
    ],
  ])("%s → %i with its code", async (_what, call, status, message, code) => {
    const res = await call();
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error: message, code });
  });

  it("a too-long chirp, a body over 1 MiB, and a login budget's 429", async () => {
    const app = appWith({ clock: fixedClock(Date.UTC(2049, 0, 1)) });
    const user = await newUser(app);
    expect(await (await postChirp(app, user.token, "a".repeat(141))).json()).toEqual({
      error: chirpTooLong(140),
      code: "chirp_too_long",
    });
    const big = await app("/api/chirps", {
      method: "POST",
      headers: bearer(user.token),
      body: "x".repeat(1024 * 1024 + 1),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: "body_too_large" });
    let last: Response | undefined;
    for (let i = 0; i < 7; i++) last = await app("/api/login", json({ email: user.email, password: "wrong" }));
    expect(last?.status).toBe(429);
    expect(await last?.json()).toMatchObject({ code: "too_many_logins" });
  });
});
