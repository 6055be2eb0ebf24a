// A lock-out that spares the user's own devices (OWASP "device cookies") and networks. Attacked
// first: strangers from many networks fill the account-wide failure budget; the user's own
// browser (its device cookie) and the user's own IPv6 /56 still get in, a forged or foreign
// cookie does not, and a device's own wrong passwords meet their own small budget.

import { describe, expect, it } from "vitest";
import { DEVICE_COOKIE, DEVICE_COOKIE_SECONDS } from "../../src/auth/device";
import { errorBody, TOO_MANY_LOGINS } from "../../src/errors";
import { appWith, type Fetcher, fixedClock, json, newUser, PASSWORD, put, uniqueEmail } from "../helpers";
import { securityEvents } from "../log-guard";

let year = 2050;
const freshClock = () => fixedClock(Date.UTC(year++, 0, 1));

const login = (app: Fetcher, email: string, password: string, ip: string, cookie?: string) =>
  app(
    "/api/login",
    json({ email, password }, { "CF-Connecting-IP": ip, ...(cookie ? { Cookie: `${DEVICE_COOKIE}=${cookie}` } : {}) }),
  );

/** The device cookie a response sets: its value and attributes. */
function deviceCookieOf(res: Response) {
  const line = res.headers.getAll("Set-Cookie").find((cookie) => cookie.startsWith(`${DEVICE_COOKIE}=`));
  if (!line) return null;
  const [pair, ...attributes] = line.split(";").map((part) => part.trim());
  return { value: pair.slice(DEVICE_COOKIE.length + 1), attributes };
}

/** Strangers guess from 25 networks until the account-wide budget (20) answers 429. */
async function lockAccount(app: Fetcher, email: string) {
  const statuses: number[] = [];
  for (let i = 0; i < 25; i++) statuses.push((await login(app, email, "wrong", `100.64.${i}.1`)).status);
  expect(statuses.slice(-1)).toEqual([429]);
}

describe("device cookies", () => {
  it("a successful login sets __Host-chirpy-device: HttpOnly, Secure, SameSite=Strict, Path=/, a year", async () => {
    const app = appWith({ clock: freshClock() });
    const user = await newUser(app);
    const res = await login(app, user.email, PASSWORD, "203.0.113.1");
    expect(res.status).toBe(200);
    const cookie = deviceCookieOf(res);
    expect(cookie?.value).toMatch(/^v1\.[\w-]+\.[0-9a-f-]{36}\.[\w-]{22}\.[\w-]{43}$/);
    expect(cookie?.value).toContain(user.id);
    expect(cookie?.attributes.sort()).toEqual(
      [`Max-Age=${DEVICE_COOKIE_SECONDS}`, "Path=/", "HttpOnly", "Secure", "SameSite=Strict"].sort(),
    );
    // A refused login sets none.
    expect(deviceCookieOf(await login(app, user.email, "wrong", "203.0.113.1"))).toBeNull();
  });

  it("with the account locked by strangers, the user's own browser gets in from a new network; others wait", async () => {
    const app = appWith({ clock: freshClock() });
    const user = await newUser(app);
    const device = deviceCookieOf(await login(app, user.email, PASSWORD, "203.0.113.2"))?.value as string;
    await lockAccount(app, user.email);
    // A network the user never logged in from: locked without the cookie, open with it.
    expect((await login(app, user.email, PASSWORD, "192.0.2.31")).status).toBe(429);
    const res = await login(app, user.email, PASSWORD, "192.0.2.32", device);
    expect(res.status).toBe(200);
    // The same device id comes back (the browser stays one device).
    expect(deviceCookieOf(res)?.value.split(".")[3]).toBe(device.split(".")[3]);
  });

  it("a forged cookie, another user's cookie, or one from before a password change spares nothing", async () => {
    const app = appWith({ clock: freshClock() }, { PASSWORD_CHANGE_MAX_PER_USER: "100" });
    const [user, other] = [await newUser(app), await newUser(app)];
    const own = deviceCookieOf(await login(app, user.email, PASSWORD, "203.0.113.3"))?.value as string;
    const foreign = deviceCookieOf(await login(app, other.email, PASSWORD, "203.0.113.4"))?.value as string;
    const [v, kid, , id, mac] = own.split(".");
    const forged = [
      [v, kid, user.id, id, `${mac.slice(0, -2)}AA`].join("."), // a wrong MAC
      [v, "unknownkid", user.id, id, mac].join("."), // a kid we do not hold
      [v, kid, other.id, id, mac].join("."), // another user's id under this MAC
      foreign, // a valid cookie, of another user
      "garbage",
    ];
    await lockAccount(app, user.email);
    for (const cookie of forged) {
      expect((await login(app, user.email, PASSWORD, "192.0.2.40", cookie)).status, cookie).toBe(429);
    }
    // The owner changes the password (from a session opened before the lock): the old cookie is void.
    const fresh = await newUser(app);
    const freshCookie = deviceCookieOf(await login(app, fresh.email, PASSWORD, "203.0.113.5"))?.value as string;
    await app("/api/users", put({ email: fresh.email, password: "a new password" }, fresh.token));
    await lockAccount(app, fresh.email);
    expect((await login(app, fresh.email, "a new password", "192.0.2.41", freshCookie)).status).toBe(429);
  });

  it("a device has its own small budget (LOGIN_MAX_FAILURES_PER_DEVICE) and its failures count for the pair", async () => {
    const app = appWith(
      { clock: freshClock() },
      { LOGIN_MAX_FAILURES_PER_DEVICE: "3", LOGIN_MAX_FAILURES_PER_EMAIL: "100" },
    );
    const user = await newUser(app);
    const device = deviceCookieOf(await login(app, user.email, PASSWORD, "203.0.113.6"))?.value as string;
    await lockAccount(app, user.email);
    const before = securityEvents().length;
    const statuses: number[] = [];
    // A thief with the stolen laptop guesses from ever new networks: 3 guesses, then 429.
    for (let i = 0; i < 5; i++)
      statuses.push((await login(app, user.email, "wrong", `192.0.2.${50 + i}`, device)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect(await (await login(app, user.email, PASSWORD, "192.0.2.60", device)).json()).toEqual(
      errorBody(TOO_MANY_LOGINS),
    );
    expect(securityEvents().slice(before)).toContainEqual(
      expect.objectContaining({ event: "login.rate_limited", limit: "device" }),
    );
  });

  it("wrong passwords through a valid device cookie still count for the (email, network) pair", async () => {
    const app = appWith({ clock: freshClock() });
    const user = await newUser(app);
    const device = deviceCookieOf(await login(app, user.email, PASSWORD, "203.0.113.7"))?.value as string;
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await login(app, user.email, "wrong", "198.51.100.70", device)).status);
    // LOGIN_MAX_FAILURES_PER_EMAIL (5) binds the pair whatever the cookie says.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });
});

describe("known networks: IPv6 by its /56", () => {
  const v6 = (subnet: number) => `2001:db8:77:${subnet.toString(16)}::1`;

  it("a login from another /64 of the same /56 is known; another /56 is not", async () => {
    const app = appWith({ clock: freshClock() });
    const user = await newUser(app);
    expect((await login(app, user.email, PASSWORD, v6(0x100))).status).toBe(200);
    await lockAccount(app, user.email);
    // The ISP moved the user to another /64 inside the customer's /56 (2001:db8:77:100::/56).
    expect((await login(app, user.email, PASSWORD, v6(0x1ff))).status).toBe(200);
    expect((await login(app, user.email, PASSWORD, v6(0x200))).status).toBe(429);
  });

  it("an unknown email with a device cookie of someone else's is a plain 401", async () => {
    const app = appWith({ clock: freshClock() });
    const user = await newUser(app);
    const device = deviceCookieOf(await login(app, user.email, PASSWORD, "203.0.113.8"))?.value as string;
    expect((await login(app, uniqueEmail("nobody"), PASSWORD, "203.0.113.8", device)).status).toBe(401);
  });
});
