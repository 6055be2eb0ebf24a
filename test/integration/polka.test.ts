import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  errorBody,
  invalidField,
  MISCONFIGURED,
  POLKA_KEY_REFUSED,
  USER_ID_NOT_UUID,
  USER_NOT_FOUND,
} from "../../src/errors";
import { api, appWith, json, newUser } from "../helpers";

const KEY = env.POLKA_KEY;
const webhook = (body: unknown, key: string | null = KEY, fetcher = api) =>
  fetcher("/api/polka/webhooks", json(body, key === null ? {} : { Authorization: `ApiKey ${key}` }));
const isRed = async (id: string) =>
  (await env.DB.prepare("select is_chirpy_red as red from users where id = ?").bind(id).first<{ red: number }>())?.red;

describe("POST /api/polka/webhooks", () => {
  it("upgrades the user on user.upgraded with 204", async () => {
    const user = await newUser();
    const res = await webhook({ event: "user.upgraded", data: { user_id: user.id } });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    const login = await api("/api/login", json({ email: user.email, password: user.password }));
    expect(await login.json()).toMatchObject({ is_chirpy_red: true });
  });

  it("acknowledges other events with 204 and changes nothing", async () => {
    const user = await newUser();
    const res = await webhook({ event: "user.payment_failed", data: { user_id: user.id } });
    expect(res.status).toBe(204);
    expect(await isRed(user.id)).toBe(0);
  });

  it.each([
    ["no Authorization header", null],
    ["a wrong key", "wrong-key"],
    ["an empty key", ""],
  ])("returns 401 for %s and changes nothing", async (_name, key) => {
    const user = await newUser();
    const res = await webhook({ event: "user.upgraded", data: { user_id: user.id } }, key);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(errorBody(POLKA_KEY_REFUSED));
    expect(await isRed(user.id)).toBe(0);
  });

  it("returns 401 for the right key under the Bearer scheme", async () => {
    const user = await newUser();
    const res = await api(
      "/api/polka/webhooks",
      json({ event: "user.upgraded", data: { user_id: user.id } }, { Authorization: `Bearer ${KEY}` }),
    );
    expect(res.status).toBe(401);
  });

  it("returns 404 for an unknown user", async () => {
    const res = await webhook({ event: "user.upgraded", data: { user_id: crypto.randomUUID() } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(errorBody(USER_NOT_FOUND));
  });

  it.each([
    ["no event", { data: { user_id: crypto.randomUUID() } }, invalidField.required("event")],
    ["no data", { event: "user.upgraded" }, invalidField.required("data")],
    ["a string data", { event: "user.upgraded", data: "x" }, invalidField.notObject("data")],
    ["no user_id", { event: "user.upgraded", data: {} }, invalidField.required("data.user_id")],
    ["a numeric user_id", { event: "user.upgraded", data: { user_id: 7 } }, invalidField.notString("data.user_id")],
    ["a malformed user_id", { event: "user.upgraded", data: { user_id: "x" } }, USER_ID_NOT_UUID],
  ])("returns 400 for %s", async (_name, body, error) => {
    const res = await webhook(body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(errorBody(error));
  });

  it("fails closed with 500 when POLKA_KEY is not configured", async () => {
    const user = await newUser();
    const app = appWith({}, { POLKA_KEY: "" });
    const res = await webhook({ event: "user.upgraded", data: { user_id: user.id } }, "", app);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual(errorBody(MISCONFIGURED));
    expect(await isRed(user.id)).toBe(0);
  });
});
