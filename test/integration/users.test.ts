import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { EMAIL_TAKEN, errorBody, INVALID_EMAIL, INVALID_JSON, invalidField, NOT_A_JSON_OBJECT } from "../../src/errors";
import { api, bearer, json, newUser, PASSWORD, put, rowCount, USER_FIELDS, uniqueEmail } from "../helpers";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const countUsers = () => rowCount("users");

describe("POST /api/users", () => {
  it("creates a user and returns exactly the public fields", async () => {
    const email = uniqueEmail();
    const res = await api("/api/users", json({ email, password: "123456" }));
    expect(res.status).toBe(201);
    const body = await res.json<Record<string, unknown>>();
    expect(Object.keys(body)).toEqual(USER_FIELDS);
    expect(body).toMatchObject({ email, is_chirpy_red: false });
    expect(body.id).toMatch(UUID);
    expect(body.created_at).toMatch(ISO);
    expect(body.updated_at).toBe(body.created_at);
  });

  it("stores the email trimmed and lowercased and never the plaintext password", async () => {
    const email = uniqueEmail("Mixed");
    const res = await api("/api/users", json({ email: `  ${email.toUpperCase()} `, password: "hunter2-password" }));
    expect(res.status).toBe(201);
    expect((await res.json<{ email: string }>()).email).toBe(email.toLowerCase());
    const row = await env.DB.prepare("select hashed_password from users where email = ?")
      .bind(email.toLowerCase())
      .first<{ hashed_password: string }>();
    expect(row?.hashed_password).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect(row?.hashed_password).not.toContain("hunter2");
  });

  it("returns 409 for an email already taken, in any case, and creates nothing", async () => {
    const email = uniqueEmail();
    expect((await api("/api/users", json({ email, password: "a" }))).status).toBe(201);
    const before = await countUsers();
    for (const again of [email, email.toUpperCase(), ` ${email}`]) {
      const res = await api("/api/users", json({ email: again, password: "b" }));
      expect(res.status).toBe(409);
      expect(await res.json()).toEqual(errorBody(EMAIL_TAKEN));
    }
    expect(await countUsers()).toBe(before);
  });

  it.each([
    ["malformed JSON", "{not json", INVALID_JSON],
    ["an empty body", "", INVALID_JSON],
    ["an array", "[]", NOT_A_JSON_OBJECT],
    ["a string", '"saul"', NOT_A_JSON_OBJECT],
    ["null", "null", NOT_A_JSON_OBJECT],
    ["a missing email", JSON.stringify({ password: "x" }), invalidField.required("email")],
    ["a missing password", JSON.stringify({ email: "a@b.co" }), invalidField.required("password")],
    ["a numeric email", JSON.stringify({ email: 42, password: "x" }), invalidField.notString("email")],
    ["a numeric password", JSON.stringify({ email: "a@b.co", password: 123456 }), invalidField.notString("password")],
    ["an invalid email", JSON.stringify({ email: "not-an-email", password: "x" }), INVALID_EMAIL],
    ["an empty password", JSON.stringify({ email: "a@b.co", password: "" }), invalidField.empty("password")],
    [
      "a password over 1024 characters",
      JSON.stringify({ email: "a@b.co", password: "x".repeat(1025) }),
      invalidField.tooLong("password", 1024),
    ],
  ])("returns 400 naming the problem for %s and creates nothing", async (_name, body, error) => {
    const before = await countUsers();
    const res = await api("/api/users", { method: "POST", headers: { "Content-Type": "application/json" }, body });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(errorBody(error));
    expect(await countUsers()).toBe(before);
  });

  it("accepts a JSON body sent without a JSON Content-Type, as curl -d does", async () => {
    const email = uniqueEmail();
    const res = await api("/api/users", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: JSON.stringify({ email, password: "x" }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ email });
  });

  it("accepts a 1024-character password", async () => {
    const res = await api("/api/users", json({ email: uniqueEmail(), password: "é".repeat(1024) }));
    expect(res.status).toBe(201);
  });
});

describe("PUT /api/users", () => {
  it("updates email and password and returns the updated user", async () => {
    const user = await newUser();
    const email = uniqueEmail("new");
    const res = await api("/api/users", put({ email, password: "new-password" }, user.token));
    expect(res.status).toBe(200);
    const body = await res.json<Record<string, unknown>>();
    expect(body).toMatchObject({ id: user.id, email, is_chirpy_red: false });
    expect(Object.keys(body)).toEqual(USER_FIELDS);
    expect(Date.parse(body.updated_at as string)).toBeGreaterThanOrEqual(Date.parse(body.created_at as string));

    expect((await api("/api/login", json({ email, password: "new-password" }))).status).toBe(200);
    expect((await api("/api/login", json({ email, password: PASSWORD }))).status).toBe(401);
    expect((await api("/api/login", json({ email: user.email, password: "new-password" }))).status).toBe(401);
  });

  it("returns 401 without a valid access token and changes nothing", async () => {
    const user = await newUser();
    for (const headers of [{}, bearer(user.refreshToken), bearer("garbage"), { Authorization: user.token }]) {
      const res = await api("/api/users", { ...json({ email: uniqueEmail(), password: "x" }, headers), method: "PUT" });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: expect.any(String), code: expect.any(String) });
    }
    expect((await api("/api/login", json({ email: user.email, password: PASSWORD }))).status).toBe(200);
  });

  it("returns 409 when the new email belongs to someone else, and changes nothing", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const res = await api("/api/users", put({ email: alice.email.toUpperCase(), password: "x" }, bob.token));
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual(errorBody(EMAIL_TAKEN));
    expect((await api("/api/login", json({ email: bob.email, password: PASSWORD }))).status).toBe(200);
  });

  it("allows keeping the same email", async () => {
    const user = await newUser();
    const res = await api("/api/users", put({ email: user.email, password: "another" }, user.token));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ email: user.email });
  });

  it("changes the password alone when the body leaves the email out", async () => {
    const user = await newUser();
    const res = await api("/api/users", put({ password: "only-the-password" }, user.token));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ email: user.email });
    expect((await api("/api/login", json({ email: user.email, password: "only-the-password" }))).status).toBe(200);
    expect((await api("/api/login", json({ email: user.email, password: PASSWORD }))).status).toBe(401);
    // A new password ends every session, the caller's included.
    expect((await api("/api/chirps", { method: "POST", ...json({ body: "x" }, bearer(user.token)) })).status).toBe(401);
  });

  it("changes the email alone when the body leaves the password out (the password and the sessions stay)", async () => {
    const user = await newUser();
    const email = uniqueEmail("email-only");
    const res = await api("/api/users", put({ email }, user.token));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ email });
    expect((await api("/api/login", json({ email, password: PASSWORD }))).status).toBe(200);
    expect((await api("/api/refresh", { method: "POST", headers: bearer(user.refreshToken) })).status).toBe(200);
  });

  it("refuses a body with neither (400) and changes nothing", async () => {
    const user = await newUser();
    for (const body of [{}, { email: undefined }, { other: "x" }]) {
      const res = await api("/api/users", put(body, user.token));
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual(errorBody(invalidField.atLeastOne("email", "password")));
    }
    expect((await api("/api/login", json({ email: user.email, password: PASSWORD }))).status).toBe(200);
  });

  it("returns 400 for an invalid body and changes nothing", async () => {
    const user = await newUser();
    const res = await api("/api/users", put({ email: "nope", password: "x" }, user.token));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(errorBody(INVALID_EMAIL));
    expect((await api("/api/login", json({ email: user.email, password: PASSWORD }))).status).toBe(200);
  });
});
