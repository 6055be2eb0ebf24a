// Threat: abuse of costly or revealing paths, and strangers locking a user out. Each test attacks
// one budget over HTTP through the worker, with CF-Connecting-IP set per request as Cloudflare's
// edge sets it.

import { describe, expect, it } from "vitest";
import {
  errorBody,
  LOOPBACK_ONLY,
  TOO_MANY_LOGINS,
  TOO_MANY_PASSWORD_CHANGES,
  TOO_MANY_SIGNUPS,
} from "../../src/errors";
import {
  appWith,
  bearer,
  type Fetcher,
  fixedClock,
  json,
  newUser,
  PASSWORD,
  put,
  refresh,
  rowCount,
  sessionIdOf,
  uniqueEmail,
} from "../helpers";
import { securityEvents } from "../log-guard";

const from = (ip: string) => ({ "CF-Connecting-IP": ip });
const login = (app: Fetcher, email: string, password: string, ip: string) =>
  app("/api/login", json({ email, password }, from(ip)));
const signup = (app: Fetcher, ip: string, email = uniqueEmail("budget")) =>
  app("/api/users", json({ email, password: PASSWORD }, from(ip)));

/** A /64 of 2001:db8:<site>::/48, numbered i (all in one /56 while i < 256). */
const v6 = (site: number, i: number) => `2001:db8:${site.toString(16)}:${i.toString(16)}::1`;

/** A distinct, far-apart instant per test, so no two tests share a counting window. */
let era = 0;
const freshClock = () => fixedClock(Date.UTC(2030 + era++, 0, 1));

describe("every login attempt has a budget, success or failure", () => {
  it("answers 429 once a network spends LOGIN_MAX_ATTEMPTS_PER_IP, even for correct passwords", async () => {
    const app = appWith({ clock: freshClock() }, { LOGIN_MAX_ATTEMPTS_PER_IP: "3" });
    const user = await newUser(app);
    for (let i = 0; i < 3; i++) expect((await login(app, user.email, PASSWORD, "192.0.2.10")).status).toBe(200);
    const limited = await login(app, user.email, PASSWORD, "192.0.2.10");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("900");
    expect(await limited.json()).toEqual(errorBody(TOO_MANY_LOGINS));
    // Another network is not affected.
    expect((await login(app, user.email, PASSWORD, "192.0.2.11")).status).toBe(200);
  });
});

describe("live sessions per user are capped", () => {
  it("a login past MAX_SESSIONS_PER_USER ends the least recently used session, its tokens at once", async () => {
    const clock = freshClock();
    const app = appWith({ clock }, { MAX_SESSIONS_PER_USER: "3", SESSION_TOUCH_INTERVAL_SECONDS: "0" });
    const email = uniqueEmail("cap");
    expect((await app("/api/users", json({ email, password: PASSWORD }))).status).toBe(201);
    const logins: { token: string; refresh_token: string }[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(10);
      const res = await app("/api/login", json({ email, password: PASSWORD }));
      expect(res.status).toBe(200);
      logins.push(await res.json());
      // The second session is used after the third opens: the first, then the third, are least recently used.
      if (i === 2) {
        clock.advance(5);
        expect((await refresh(app, logins[1].refresh_token)).status).toBe(200);
      }
    }
    const listed = await (await app("/api/sessions", { headers: bearer(logins[4].token) })).json<{ id: string }[]>();
    expect(listed.map((s) => s.id).sort()).toEqual([1, 3, 4].map((i) => sessionIdOf(logins[i].token)).sort());
    expect((await refresh(app, logins[0].refresh_token)).status).toBe(401);
    expect((await refresh(app, logins[2].refresh_token)).status).toBe(401);
    expect((await app("/api/chirps", json({ body: "x" }, bearer(logins[0].token)))).status).toBe(401);
    expect((await refresh(app, logins[1].refresh_token)).status).toBe(200);
    const ended = securityEvents().filter((e) => e.event === "session.ended" && e.by === "session_limit");
    expect(ended.map((e) => e.session_id)).toEqual([sessionIdOf(logins[0].token), sessionIdOf(logins[2].token)]);
  });
});

describe("PUT /api/users has budgets", () => {
  it("probing for registered emails counts against the network's sign-up budget: 429, not 409", async () => {
    const app = appWith({ clock: freshClock() }, { SIGNUP_MAX_PER_IP: "2" });
    const prober = await newUser(app);
    const victims = [await newUser(app), await newUser(app)];
    const ip = "198.51.100.40";
    expect((await signup(app, ip)).status).toBe(201);
    expect((await signup(app, ip)).status).toBe(201);
    for (const victim of victims) {
      const res = await app("/api/users", put({ email: victim.email, password: PASSWORD }, prober.token, from(ip)));
      expect(res.status).toBe(429);
      expect(res.headers.get("Retry-After")).toBe("3600");
      expect(await res.json()).toEqual(errorBody(TOO_MANY_SIGNUPS));
    }
    // Keeping the same email (a password change) is not a sign-up question.
    const same = await app("/api/users", put({ email: prober.email, password: PASSWORD }, prober.token, from(ip)));
    expect(same.status).toBe(200);
  });

  it("password changes are limited per user: past PASSWORD_CHANGE_MAX_PER_USER, 429 and nothing written", async () => {
    const clock = freshClock();
    const app = appWith({ clock }, { PASSWORD_CHANGE_MAX_PER_USER: "2" });
    const user = await newUser(app);
    let token = user.token;
    for (const password of ["second password", "third password"]) {
      const res = await app("/api/users", put({ email: user.email, password }, token));
      expect(res.status).toBe(200);
      token = (await (await app("/api/login", json({ email: user.email, password }))).json<{ token: string }>()).token;
    }
    const limited = await app("/api/users", put({ email: user.email, password: "fourth password" }, token));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("3600");
    expect(await limited.json()).toEqual(errorBody(TOO_MANY_PASSWORD_CHANGES));
    expect((await app("/api/login", json({ email: user.email, password: "third password" }))).status).toBe(200);
    clock.advance(3600);
    const fresh = await (await app("/api/login", json({ email: user.email, password: "third password" }))).json<{
      token: string;
    }>();
    const later = await app("/api/users", put({ email: user.email, password: "fourth password" }, fresh.token));
    expect(later.status).toBe(200);
  });
});

describe("IPv6: the /56 and /48 are budgets too", () => {
  it("sign-ups from many /64s of one /48 meet a 429", async () => {
    const app = appWith({ clock: freshClock() }, { SIGNUP_MAX_PER_IP: "2" });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await signup(app, v6(0xa1, i))).status);
    // Each /64 stays under 2; the /56 (4 × 2) stops the 9th.
    expect(statuses).toEqual([...Array(8).fill(201), ...Array(4).fill(429)]);
  });

  it("the /48 binds across its /56s at 8× the per-address budget", async () => {
    const app = appWith({ clock: freshClock() }, { SIGNUP_MAX_PER_IP: "1" });
    const statuses: number[] = [];
    // One sign-up from the first /64 of each of 10 /56s: only the /48 (8 × 1) can stop them.
    for (let i = 0; i < 10; i++) statuses.push((await signup(app, v6(0xa2, i << 8))).status);
    expect(statuses).toEqual([...Array(8).fill(201), 429, 429]);
  });

  it("failed logins from many /64s of one /48 meet a 429", async () => {
    const app = appWith({ clock: freshClock() }, { LOGIN_MAX_FAILURES_PER_IP: "1" });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await login(app, uniqueEmail("v6"), "wrong", v6(0xa3, i))).status);
    expect(statuses).toEqual([...Array(4).fill(401), ...Array(6).fill(429)]);
  });

  it("sign-up has a global budget across all networks (SIGNUP_MAX_GLOBAL)", async () => {
    const app = appWith({ clock: freshClock() }, { SIGNUP_MAX_GLOBAL: "3" });
    const statuses: number[] = [];
    for (let i = 1; i <= 5; i++) statuses.push((await signup(app, `203.0.113.${100 + i}`)).status);
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
  });
});

describe("no stranger can lock the rightful user out", () => {
  it("6 wrong guesses from network A do not refuse the right password from network B", async () => {
    const app = appWith({ clock: freshClock() });
    const user = await newUser(app);
    expect((await login(app, user.email, PASSWORD, "203.0.113.9")).status).toBe(200);
    for (let i = 0; i < 6; i++) await login(app, user.email, "wrong", "198.51.100.7");
    expect((await login(app, user.email, "wrong", "198.51.100.7")).status).toBe(429);
    expect((await login(app, user.email, PASSWORD, "203.0.113.9")).status).toBe(200);
    // A network it never logged in from is not locked out by one guessing network either.
    expect((await login(app, user.email, PASSWORD, "192.0.2.200")).status).toBe(200);
  });

  it("guessing one account from 40 networks is bounded; the user's own network still gets in", async () => {
    const app = appWith({ clock: freshClock() });
    const user = await newUser(app);
    expect((await login(app, user.email, PASSWORD, "203.0.113.50")).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await login(app, user.email, "wrong", `100.64.${i}.1`)).status);
    // LOGIN_MAX_FAILURES_PER_ACCOUNT (default 20) failures reach the hash; the rest are refused unhashed.
    expect(statuses.filter((s) => s === 401)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    expect((await login(app, user.email, PASSWORD, "203.0.113.50")).status).toBe(200);
    // The residual risk the README states: a network the user never logged in from waits out the window.
    expect((await login(app, user.email, PASSWORD, "192.0.2.201")).status).toBe(429);
  });
});

describe("the dev reset accepts only loopback host names (DNS rebinding)", () => {
  const reset = (url: string, headers: Record<string, string> = {}) => appWith({})(url, { method: "POST", headers });

  it("refuses a rebinding Host even with a matching Origin and Sec-Fetch-Site: same-origin", async () => {
    await newUser();
    const before = await rowCount("users");
    const res = await reset("http://evil.example:8787/admin/reset", {
      Origin: "http://evil.example:8787",
      "Sec-Fetch-Site": "same-origin",
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: LOOPBACK_ONLY, code: "loopback_only" });
    expect(await rowCount("users")).toBe(before);
  });

  it.each([
    ["/admin/reset", "POST"],
    ["/admin/mailbox?to=someone%40example.com", "GET"],
  ])("refuses %s from a peer that is not loopback, even on a loopback host name", async (path, method) => {
    await newUser();
    const before = await rowCount("users");
    for (const peer of ["192.0.2.10", "2001:db8::1", "10.0.0.1"]) {
      const res = await appWith({})(`http://localhost:8787${path}`, { method, headers: { "CF-Connecting-IP": peer } });
      expect(res.status, peer).toBe(403);
      expect(await res.json()).toEqual(errorBody(LOOPBACK_ONLY));
    }
    expect(await rowCount("users")).toBe(before);
    const local = await appWith({})(`http://localhost:8787${path}`, { method, headers: { "CF-Connecting-IP": "::1" } });
    expect(local.status).toBe(200);
  });

  it.each(["http://localhost:8787", "http://127.0.0.1:9000", "http://[::1]:8787", "http://localhost"])(
    "resets on %s",
    async (origin) => {
      await newUser();
      const res = await reset(`${origin}/admin/reset`, { Origin: origin, "Sec-Fetch-Site": "same-origin" });
      expect(res.status).toBe(200);
      expect(await rowCount("users")).toBe(0);
    },
  );
});

describe("bookmarks are D1's, never the client's", () => {
  it("a request that never reached D1 carries no bookmark, whatever the client sent", async () => {
    const res = await appWith({})("/api/chirps?sort=sideways", { headers: { "x-d1-bookmark": "00000001-00000002" } });
    expect(res.status).toBe(400);
    expect(res.headers.get("x-d1-bookmark")).toBeNull();
  });

  it("a read answered from D1 carries the bookmark D1 gave the session", async () => {
    await newUser(); // the database has moved past the oldest possible bookmark
    const sent = "00000000-00000000-00000000-00000000000000000000000000000000";
    const res = await appWith({})("/api/chirps", { headers: { "x-d1-bookmark": sent } });
    expect(res.status).toBe(200);
    const got = res.headers.get("x-d1-bookmark");
    expect(got).toMatch(/^[0-9a-f]+(-[0-9a-f]+)*$/);
    expect(got).not.toBe(sent);
  });
});

describe("local development (loopback) keeps working", () => {
  it("60 failed logins from 127.0.0.1 with the local .dev.vars budgets, then the right password → 200", async () => {
    const local = {
      LOGIN_MAX_ATTEMPTS_PER_IP: "100000",
      LOGIN_MAX_FAILURES_PER_IP: "100000",
      LOGIN_MAX_FAILURES_PER_EMAIL: "1000",
    };
    const app = appWith({ clock: freshClock() }, local);
    const user = await newUser(app);
    for (let i = 0; i < 60; i++) expect((await login(app, user.email, "typo", "127.0.0.1")).status).toBe(401);
    expect((await login(app, user.email, PASSWORD, "127.0.0.1")).status).toBe(200);
  });
});
