import { describe, expect, it } from "vitest";
import { errorBody, INCORRECT_CREDENTIALS, invalidField } from "../../src/errors";
import { api, json, PASSWORD, rowCount, USER_FIELDS, uniqueEmail } from "../helpers";

describe("POST /api/login", () => {
  it("returns the user with an access token and a refresh token, not cacheable", async () => {
    const email = uniqueEmail();
    const created = await (await api("/api/users", json({ email, password: PASSWORD }))).json<{ id: string }>();
    const res = await api("/api/login", json({ email: ` ${email.toUpperCase()} `, password: PASSWORD }));
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const body = await res.json<Record<string, unknown>>();
    expect(Object.keys(body)).toEqual([...USER_FIELDS, "token", "refresh_token"]);
    expect(body).toMatchObject({ id: created.id, email, is_chirpy_red: false });
    expect(body.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(body.refresh_token).toMatch(/^[0-9a-f]{64}$/);
  });

  it("issues a different refresh token on every login", async () => {
    const email = uniqueEmail();
    await api("/api/users", json({ email, password: PASSWORD }));
    const a = await (await api("/api/login", json({ email, password: PASSWORD }))).json<{ refresh_token: string }>();
    const b = await (await api("/api/login", json({ email, password: PASSWORD }))).json<{ refresh_token: string }>();
    expect(a.refresh_token).not.toBe(b.refresh_token);
  });

  it("answers an unknown email and a wrong password identically with 401", async () => {
    const email = uniqueEmail();
    await api("/api/users", json({ email, password: PASSWORD }));
    const wrong = await api("/api/login", json({ email, password: "wrong" }));
    const unknown = await api("/api/login", json({ email: uniqueEmail(), password: PASSWORD }));
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual(errorBody(INCORRECT_CREDENTIALS));
    }
  });

  it("stores no token for a failed login", async () => {
    const email = uniqueEmail();
    const { id } = await (await api("/api/users", json({ email, password: PASSWORD }))).json<{ id: string }>();
    await api("/api/login", json({ email, password: "wrong" }));
    expect(await rowCount("refresh_tokens", "user_id = ?", id)).toBe(0);
  });

  it("returns 400 for an invalid body", async () => {
    const res = await api("/api/login", json({ email: "saul@bettercall.com" }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(errorBody(invalidField.required("password")));
  });
});
