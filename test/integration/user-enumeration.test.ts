// Threat: learning which emails have accounts from login's answers. Unknown email and wrong
// password get the same status, body and headers; both run one PBKDF2 hash (the unknown email
// against a dummy hash), so timing does not separate them either.

import { describe, expect, it } from "vitest";
import { DUMMY_PASSWORD_HASH, PBKDF2_ITERATIONS } from "../../src/crypto/password";
import { api, json, newUser, uniqueEmail } from "../helpers";

const headersOf = (res: Response) => {
  const headers = Object.fromEntries(res.headers);
  delete headers["content-length"];
  // The D1 bookmark is the database's position, moved by every write of anyone; both answers make
  // the same writes (the attempt counters), so it tells nothing about the email. Present on both.
  expect(headers["x-d1-bookmark"]).toMatch(/^[0-9a-f-]+$/);
  delete headers["x-d1-bookmark"];
  return headers;
};

describe("login answers do not reveal which emails exist", () => {
  it("gives an unknown email and a wrong password the same status, body and headers", async () => {
    const user = await newUser();
    const wrongPassword = await api("/api/login", json({ email: user.email, password: "not-it" }));
    const unknownEmail = await api("/api/login", json({ email: uniqueEmail("ghost"), password: "not-it" }));
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(headersOf(unknownEmail)).toEqual(headersOf(wrongPassword));
    expect(await unknownEmail.json()).toEqual(await wrongPassword.json());
  });

  it("hashes against a dummy with the same parameters as a real password", () => {
    expect(DUMMY_PASSWORD_HASH.split("$").slice(0, 2)).toEqual(["pbkdf2-sha256", String(PBKDF2_ITERATIONS)]);
  });

  it("gives refresh and access-token failures one generic message whatever the reason", async () => {
    const user = await newUser();
    await api("/api/revoke", { method: "POST", headers: { Authorization: `Bearer ${user.refreshToken}` } });
    const revoked = await api("/api/refresh", {
      method: "POST",
      headers: { Authorization: `Bearer ${user.refreshToken}` },
    });
    const unknown = await api("/api/refresh", {
      method: "POST",
      headers: { Authorization: `Bearer ${"e".repeat(64)}` },
    });
    expect(await revoked.json()).toEqual(await unknown.json());
  });
});
