// Security events an operator can see: one JSON line per event, with ids and the client's network
// prefix, never a token, hash, password or email (test/log-guard.ts checks every line of every file).

import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import {
  api,
  appWith,
  bearer,
  decodeJwt,
  fixedClock,
  json,
  newUser,
  PASSWORD,
  refresh,
  revoke,
  sessionIdOf,
  uniqueEmail,
} from "../helpers";
import { securityEvents } from "../log-guard";

const IP = "203.0.113.77";
const withIp = { "CF-Connecting-IP": IP };

/** The events logged while `action` ran. */
async function eventsDuring(action: () => Promise<unknown>) {
  const before = securityEvents().length;
  await action();
  return securityEvents().slice(before);
}

describe("security events", () => {
  it("sign-up, login success and failures name the user and the network prefix, not the email", async () => {
    const email = uniqueEmail("events");
    const events = await eventsDuring(async () => {
      await api("/api/users", json({ email, password: PASSWORD }, withIp));
      await api("/api/login", json({ email, password: "wrong" }, withIp));
      await api("/api/login", json({ email: uniqueEmail("nobody"), password: "wrong" }, withIp));
      await api("/api/login", json({ email, password: PASSWORD }, withIp));
    });
    const userId = events[0].user_id;
    expect(userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(events).toEqual([
      { event: "signup.succeeded", user_id: userId, level: "security", ip_prefix: "203.0.113.0/24" },
      {
        event: "login.failed",
        user_id: userId,
        reason: "wrong_password",
        level: "security",
        ip_prefix: "203.0.113.0/24",
      },
      { event: "login.failed", user_id: null, reason: "unknown_email", level: "security", ip_prefix: "203.0.113.0/24" },
      {
        event: "login.succeeded",
        user_id: userId,
        session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        level: "security",
        ip_prefix: "203.0.113.0/24",
      },
    ]);
  });

  it("rate limits: login (which limit, retry_after) and sign-up; IPv6 logged by its /48", async () => {
    const app = appWith({ clock: fixedClock(Date.UTC(2032, 0, 1)) }, { SIGNUP_MAX_PER_IP: "1" });
    const user = await newUser(app);
    const events = await eventsDuring(async () => {
      for (let i = 0; i < 6; i++) await app("/api/login", json({ email: user.email, password: "wrong" }));
      const v6 = { "CF-Connecting-IP": "2001:db8:1234:5678::9" };
      await app("/api/users", json({ email: uniqueEmail(), password: PASSWORD }, v6));
      await app("/api/users", json({ email: uniqueEmail(), password: PASSWORD }, v6));
    });
    expect(events.filter((e) => e.event === "login.rate_limited")).toEqual([
      { event: "login.rate_limited", limit: "email", retry_after: 900, count: 1, level: "security", ip_prefix: null },
    ]);
    expect(events.filter((e) => e.event === "signup.rate_limited")).toEqual([
      {
        event: "signup.rate_limited",
        limit: "ip",
        retry_after: 3600,
        count: 1,
        level: "security",
        ip_prefix: "2001:db8:1234::/48",
      },
    ]);
  });

  it("credentials changed, and the sessions a new password ended", async () => {
    const user = await newUser();
    await api("/api/login", json({ email: user.email, password: PASSWORD }));
    const events = await eventsDuring(() =>
      api("/api/users", {
        ...json({ email: user.email, password: "a new password" }, bearer(user.token)),
        method: "PUT",
      }),
    );
    expect(events).toEqual([
      {
        event: "credentials.changed",
        user_id: user.id,
        session_id: sessionIdOf(user.token),
        password_changed: true,
        email_changed: false,
        email_change_pending: false,
        level: "security",
      },
      {
        event: "session.ended",
        user_id: user.id,
        session_id: null,
        by: "password_change",
        count: 2,
        level: "security",
      },
    ]);
  });

  it("session ended by the user, by log out everywhere and by revoke", async () => {
    const user = await newUser();
    const other = await (await api("/api/login", json({ email: user.email, password: PASSWORD }))).json<{
      token: string;
      refresh_token: string;
    }>();
    const third = await (await api("/api/login", json({ email: user.email, password: PASSWORD }))).json<{
      token: string;
      refresh_token: string;
    }>();
    const events = await eventsDuring(async () => {
      await api(`/api/sessions/${sessionIdOf(other.token)}`, { method: "DELETE", headers: bearer(user.token) });
      await revoke(api, third.refresh_token);
      await api("/api/sessions", { method: "DELETE", headers: bearer(user.token) });
    });
    const base = { event: "session.ended", user_id: user.id, level: "security" };
    expect(events).toEqual([
      { ...base, session_id: sessionIdOf(other.token), by: "user", count: 1 },
      { ...base, session_id: sessionIdOf(third.token), by: "revoke", count: 1 },
      { ...base, session_id: null, by: "log_out_everywhere", count: 1 },
    ]);
  });

  it("refresh-token reuse detected ends the family, and says so", async () => {
    const clock = fixedClock();
    const app = appWith({ clock }, { REFRESH_TOKEN_ROTATION: "on" });
    const user = await newUser(app);
    await refresh(app, user.refreshToken);
    clock.advance(60);
    const events = await eventsDuring(() => refresh(app, user.refreshToken));
    const sessionId = sessionIdOf(user.token);
    expect(events).toEqual([
      { event: "refresh_token.reuse_detected", user_id: user.id, session_id: sessionId, level: "security" },
      {
        event: "session.ended",
        user_id: user.id,
        session_id: sessionId,
        by: "reuse_detection",
        count: 1,
        level: "security",
      },
    ]);
  });

  it("an access token under an unknown kid, and a rejected webhook", async () => {
    const user = await newUser();
    const payload = decodeJwt(user.token).claims;
    const forged = await sign(
      payload,
      { kty: "oct", k: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", alg: "HS256", kid: "forged-kid" },
      "HS256",
    );
    const events = await eventsDuring(async () => {
      await api("/api/chirps", json({ body: "x" }, bearer(forged)));
      await api("/api/chirps", json({ body: "x" }, bearer("not-a-jwt")));
      await api(
        "/api/polka/webhooks",
        json({ event: "user.upgraded", data: { user_id: user.id } }, { Authorization: "ApiKey nope" }),
      );
    });
    expect(events).toEqual([
      { event: "access_token.unknown_kid", kid: "forged-kid", count: 1, level: "security" },
      { event: "webhook.rejected", reason: "bad_key", count: 1, level: "security", ip_prefix: null },
    ]);
  });
});

const b64url = (value: unknown) =>
  btoa(typeof value === "string" ? value : JSON.stringify(value))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

describe("refused access tokens under one of our kids", () => {
  it("a bad signature, alg none, HS512 and a missing exp each log access_token.invalid with kid and reason", async () => {
    const app = appWith({ clock: fixedClock(Date.UTC(2045, 0, 1)) });
    const user = await newUser(app);
    const { header, claims } = decodeJwt(user.token);
    const kid = header.kid as string;
    const ourKey = (alg: string) => ({ kty: "oct", k: b64url(env.JWT_SECRET), alg, kid });
    const badSignature = `${user.token.slice(0, -4)}AAAA`;
    const algNone = `${b64url({ alg: "none", typ: "JWT", kid })}.${b64url(claims)}.`;
    const hs512 = await sign(claims, ourKey("HS512"), "HS512");
    const { exp: _, ...noExp } = claims;
    const missingExp = await sign(noExp, ourKey("HS256"), "HS256");
    const events = await eventsDuring(async () => {
      for (const token of [badSignature, algNone, hs512, missingExp]) {
        const res = await app("/api/chirps", json({ body: "x" }, bearer(token)));
        expect(res.status).toBe(401);
      }
    });
    // HS512 falls in alg none's minute: it is counted toward the next "alg" line, not written.
    expect(events).toEqual(
      ["signature", "alg", "exp_missing"].map((reason) => ({
        event: "access_token.invalid",
        kid,
        reason,
        count: 1,
        level: "security",
      })),
    );
  });

  it("junk is bounded: one line per reason per minute, carrying how many it stands for", async () => {
    const clock = fixedClock(Date.UTC(2046, 0, 1));
    const app = appWith({ clock });
    const junk = (i: number) => `${b64url({ alg: "HS256", typ: "JWT", kid: `junk${i}` })}.${b64url({ sub: "x" })}.AAAA`;
    const first = await eventsDuring(async () => {
      for (let i = 0; i < 50; i++) await app("/api/chirps", json({ body: "x" }, bearer(junk(i))));
    });
    expect(first).toEqual([{ event: "access_token.unknown_kid", kid: "junk0", count: 1, level: "security" }]);
    clock.advance(60);
    const next = await eventsDuring(() => app("/api/chirps", json({ body: "x" }, bearer(junk(99)))));
    // 49 suppressed in the first minute, plus this one.
    expect(next).toEqual([{ event: "access_token.unknown_kid", kid: "junk99", count: 50, level: "security" }]);
  });
});

describe("events a stranger can cause at will are bounded per network per minute", () => {
  const junkToken = "0".repeat(64);
  const from = (ip: string) => ({ "CF-Connecting-IP": ip });

  it("50 guessed reset links, verification links and wrong webhook keys from one network: one line each, then the count", async () => {
    const clock = fixedClock(Date.UTC(2047, 0, 1));
    const app = appWith({ clock });
    const flood = async (ip: string, times: number) => {
      for (let i = 0; i < times; i++) {
        await app("/api/password-resets/confirm", json({ token: junkToken, password: "x" }, from(ip)));
        await app("/api/email-verifications/confirm", json({ token: junkToken }, from(ip)));
        await app(
          "/api/polka/webhooks",
          json({ event: "x", data: { user_id: "y" } }, { ...from(ip), Authorization: "ApiKey no" }),
        );
      }
    };
    const kinds = ["password_reset.failed", "email_verification.failed", "webhook.rejected"];
    const first = await eventsDuring(() => flood("198.51.100.7", 50));
    for (const kind of kinds) {
      expect(
        first.filter((e) => e.event === kind),
        kind,
      ).toEqual([expect.objectContaining({ event: kind, count: 1, ip_prefix: "198.51.100.0/24" })]);
    }
    // Another network is not hidden behind the first one's budget.
    const other = await eventsDuring(() => flood("2001:db8:aaaa::1", 1));
    expect(other.map((e) => e.event).sort()).toEqual([...kinds].sort());
    // A minute later the first network's next line carries the 49 held back, plus itself.
    clock.advance(61);
    const later = await eventsDuring(() => flood("198.51.100.7", 1));
    for (const kind of kinds) {
      expect(
        later.filter((e) => e.event === kind),
        kind,
      ).toEqual([expect.objectContaining({ count: 50 })]);
    }
  });

  it("a login budget's 429s from one network are one line a minute", async () => {
    const clock = fixedClock(Date.UTC(2048, 0, 1));
    const app = appWith({ clock });
    const user = await newUser(app);
    const events = await eventsDuring(async () => {
      for (let i = 0; i < 30; i++)
        await app("/api/login", json({ email: user.email, password: "wrong" }, from("203.0.113.99")));
    });
    const limited = events.filter((e) => e.event === "login.rate_limited");
    expect(limited).toHaveLength(1);
    expect(limited[0]).toMatchObject({ count: 1, ip_prefix: "203.0.113.0/24" });
  });
});
