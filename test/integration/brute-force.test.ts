// Threat: password guessing. Failed logins are counted per email and per client IP in D1; past
// the limit, login answers 429 with Retry-After before any password is hashed.

import { describe, expect, it } from "vitest";
import { errorBody, TOO_MANY_LOGINS } from "../../src/errors";
import { appWith, type Fetcher, fixedClock, json, newUser, PASSWORD, uniqueEmail } from "../helpers";

const login = (app: Fetcher, email: string, password: string, ip?: string) =>
  app("/api/login", json({ email, password }, ip ? { "CF-Connecting-IP": ip } : {}));

async function failTimes(app: Fetcher, email: string, times: number, ip?: string) {
  for (let i = 0; i < times; i++) expect((await login(app, email, "wrong", ip)).status).toBe(401);
}

describe("per-email limit", () => {
  it("answers the 6th attempt within 15 minutes with 429 and Retry-After, even with the right password", async () => {
    const clock = fixedClock();
    const app = appWith({ clock });
    const user = await newUser(app);
    await failTimes(app, user.email, 5);
    clock.advance(60);
    const res = await login(app, user.email, PASSWORD);
    expect(res.status).toBe(429);
    expect(res.headers.get("Retry-After")).toBe(String(15 * 60 - 60));
    expect(await res.json()).toEqual(errorBody(TOO_MANY_LOGINS));
  });

  it("allows attempts again once the window has passed", async () => {
    const clock = fixedClock();
    const app = appWith({ clock });
    const user = await newUser(app);
    await failTimes(app, user.email, 5);
    expect((await login(app, user.email, PASSWORD)).status).toBe(429);
    clock.advance(15 * 60 - 1);
    expect((await login(app, user.email, PASSWORD)).status).toBe(429);
    clock.advance(1);
    expect((await login(app, user.email, PASSWORD)).status).toBe(200);
  });

  it("keys on the normalized email, so case and spaces do not buy more guesses", async () => {
    const app = appWith({ clock: fixedClock() });
    const user = await newUser(app);
    for (const variant of [user.email, user.email.toUpperCase(), ` ${user.email} `, user.email, user.email]) {
      expect((await login(app, variant, "wrong")).status).toBe(401);
    }
    expect((await login(app, user.email.toUpperCase(), PASSWORD)).status).toBe(429);
  });

  it("clears the email's count on a success", async () => {
    const app = appWith({ clock: fixedClock() });
    const user = await newUser(app);
    await failTimes(app, user.email, 4);
    expect((await login(app, user.email, PASSWORD)).status).toBe(200);
    await failTimes(app, user.email, 5);
    expect((await login(app, user.email, PASSWORD)).status).toBe(429);
  });

  it("holds under concurrent guesses: at most 5 of 30 simultaneous attempts reach the password check", async () => {
    const app = appWith({ clock: fixedClock() });
    const user = await newUser(app);
    const statuses = (await Promise.all(Array.from({ length: 30 }, () => login(app, user.email, "wrong")))).map(
      (res) => res.status,
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25);
  });

  it("answers a limited unknown email exactly like a limited known email", async () => {
    const clock = fixedClock();
    const app = appWith({ clock });
    const user = await newUser(app);
    const stranger = uniqueEmail("nobody");
    await failTimes(app, user.email, 5);
    await failTimes(app, stranger, 5);
    const [known, unknown] = [await login(app, user.email, "wrong"), await login(app, stranger, "wrong")];
    expect(known.status).toBe(429);
    expect(unknown.status).toBe(known.status);
    expect(unknown.headers.get("Retry-After")).toBe(known.headers.get("Retry-After"));
    expect(await unknown.json()).toEqual(await known.json());
  });
});

describe("per-IP limit", () => {
  it("limits one IP guessing across many emails, and not other IPs", async () => {
    const clock = fixedClock();
    const app = appWith({ clock }, { LOGIN_MAX_FAILURES_PER_IP: "8" });
    const user = await newUser(app);
    for (let i = 0; i < 8; i++)
      expect((await login(app, uniqueEmail("spray"), "wrong", "203.0.113.7")).status).toBe(401);
    const limited = await login(app, user.email, PASSWORD, "203.0.113.7");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("Retry-After"))).toBe(900);
    expect((await login(app, user.email, PASSWORD, "198.51.100.1")).status).toBe(200);
  });

  it("does not count successful logins against the IP", async () => {
    const app = appWith({ clock: fixedClock() }, { LOGIN_MAX_FAILURES_PER_IP: "3" });
    const user = await newUser(app);
    for (let i = 0; i < 6; i++) expect((await login(app, user.email, PASSWORD, "192.0.2.55")).status).toBe(200);
  });
});

describe("per-network login limit over IPv6", () => {
  it("counts every address of one /64 together, and not the neighbouring /64", async () => {
    const app = appWith({ clock: fixedClock(Date.UTC(2031, 0, 1)) }, { LOGIN_MAX_FAILURES_PER_IP: "5" });
    // Different unknown emails, so only the per-network limit can apply.
    for (let i = 1; i <= 5; i++) {
      expect((await login(app, uniqueEmail("v6"), "wrong", `2001:db8:bb:1::${i.toString(16)}`)).status).toBe(401);
    }
    const limited = await login(app, uniqueEmail("v6"), "wrong", "2001:db8:bb:1:abcd::77");
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual(errorBody(TOO_MANY_LOGINS));
    expect((await login(app, uniqueEmail("v6"), "wrong", "2001:db8:bb:2::1")).status).toBe(401);
  });
});
