// Two-factor authentication (TOTP with recovery codes) against real D1: enrolment, the login's
// second step, and each rule attacked — no session before the second step, a replayed step, the
// ±1 window, the mfa_token's binding to the password, its five failures, the account budget across
// tokens, racing recovery codes, reset keeping TOTP on, cookie mode, amr, and secrets at rest.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { stepAt, totpCode } from "../../src/crypto/totp";
import { errorBody, INCORRECT_CREDENTIALS, INVALID_TOTP_CODE, MFA_FAILED } from "../../src/errors";
import { SoftAuthenticator } from "../authenticator";
import {
  appWith,
  base32Bytes,
  bearer,
  decodeJwt,
  type Fetcher,
  type FixedClock,
  fixedClock,
  json,
  mailbox,
  newUser,
  PASSWORD,
  put,
  refresh,
  rowCount,
  type TestUser,
  tokenFrom,
  uniqueEmail,
} from "../helpers";

interface Enrolled {
  user: TestUser;
  secret: Uint8Array;
  recoveryCodes: string[];
  /** The code for the clock's current step, plus `offset` steps. */
  code(offset?: number): Promise<string>;
}

async function enrol(app: Fetcher, clock: FixedClock, user?: TestUser): Promise<Enrolled> {
  const who = user ?? (await newUser(app, uniqueEmail("mfa")));
  const started = await app("/api/mfa/totp", json({ password: PASSWORD }, bearer(who.token)));
  expect(started.status).toBe(200);
  const { secret: base32, otpauth_uri } = await started.json<{ secret: string; otpauth_uri: string }>();
  expect(otpauth_uri).toBe(
    `otpauth://totp/Chirpy:${who.email}?secret=${base32}&issuer=Chirpy&algorithm=SHA1&digits=6&period=30`,
  );
  const secret = base32Bytes(base32);
  const code = (offset = 0) => totpCode(secret, stepAt(clock.now()) + offset);
  const confirmed = await app("/api/mfa/totp/confirm", json({ code: await code() }, bearer(who.token)));
  expect(confirmed.status).toBe(200);
  const { recovery_codes } = await confirmed.json<{ recovery_codes: string[] }>();
  clock.advance(30); // the confirming code's step is spent: the next test code is a new one
  return { user: who, secret, recoveryCodes: recovery_codes, code };
}

/** The first step: the password → 403 with an mfa_token. */
async function passwordStep(app: Fetcher, user: TestUser, headers: Record<string, string> = {}) {
  const res = await app("/api/login", json({ email: user.email, password: user.password }, headers));
  expect(res.status).toBe(403);
  return (await res.json<{ mfa_token: string }>()).mfa_token;
}

const secondStep = (app: Fetcher, body: Record<string, string>, headers: Record<string, string> = {}) =>
  app("/api/login/mfa", json(body, headers));

describe("turning two-factor authentication on", () => {
  it("asks for the password again, confirms with a code, and gives ten recovery codes once", async () => {
    const clock = fixedClock(Date.UTC(2051, 0, 1));
    const app = appWith({ clock });
    const user = await newUser(app, uniqueEmail("enrol"));
    const wrong = await app("/api/mfa/totp", json({ password: "not it" }, bearer(user.token)));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual(errorBody(INCORRECT_CREDENTIALS));
    const started = await (await app("/api/mfa/totp", json({ password: PASSWORD }, bearer(user.token)))).json<{
      secret: string;
    }>();
    expect(started.secret).toMatch(/^[A-Z2-7]{32}$/);
    const badCode = await app("/api/mfa/totp/confirm", json({ code: "000000" }, bearer(user.token)));
    expect(badCode.status).toBe(400);
    expect(await badCode.json()).toEqual(errorBody(INVALID_TOTP_CODE));
    const code = await totpCode(base32Bytes(started.secret), stepAt(clock.now()));
    const confirmed = await app("/api/mfa/totp/confirm", json({ code }, bearer(user.token)));
    const { recovery_codes } = await confirmed.json<{ recovery_codes: string[] }>();
    expect(recovery_codes).toHaveLength(10);
    expect(new Set(recovery_codes).size).toBe(10);
    const me = await (await app("/api/users/me", { headers: bearer(user.token) })).json();
    expect(me).toMatchObject({ totp: true, recovery_codes_left: 10 });
    expect((await mailbox(user.email))[0].subject).toBe("Two-factor authentication is on");
  });

  it("keeps nothing in the clear: the secret sealed, recovery codes and mfa_tokens as digests", async () => {
    const clock = fixedClock(Date.UTC(2051, 1, 1));
    const app = appWith({ clock });
    const { user, secret, recoveryCodes } = await enrol(app, clock);
    const mfaToken = await passwordStep(app, user);
    const row = await env.DB.prepare("select totp_secret from users where id = ?")
      .bind(user.id)
      .first<{ totp_secret: string }>();
    const dump = JSON.stringify(
      await env.DB.prepare(
        "select (select group_concat(digest) from recovery_codes where user_id = ?1) as codes, (select group_concat(token_hash) from mfa_tokens where user_id = ?1) as tokens",
      )
        .bind(user.id)
        .first(),
    );
    const base32 = (await import("../../src/crypto/totp")).toBase32(secret);
    expect(row?.totp_secret).toMatch(/^v1\./);
    expect(row?.totp_secret).not.toContain(base32);
    for (const code of recoveryCodes) expect(dump).not.toContain(code.replace("-", ""));
    expect(dump).not.toContain(mfaToken);
  });
});

describe("logging in with the second factor", () => {
  it("answers 403 mfa_required with a token and nothing else: no tokens, no cookie, no session", async () => {
    const clock = fixedClock(Date.UTC(2051, 2, 1));
    const app = appWith({ clock });
    const { user } = await enrol(app, clock);
    const sessions = await rowCount("sessions", "user_id = ?", user.id);
    const res = await app(
      "/api/login",
      json({ email: user.email, password: PASSWORD }, { "X-Chirpy-Session": "cookie", Origin: "http://chirpy.test" }),
    );
    expect(res.status).toBe(403);
    const body = await res.json<Record<string, unknown>>();
    expect(body).toEqual({
      error: "A second factor is required",
      code: "mfa_required",
      mfa_token: expect.stringMatching(/^[0-9a-f]{64}$/),
      methods: ["totp", "recovery_code"],
    });
    expect(res.headers.getAll("Set-Cookie")).toEqual([]);
    expect(await rowCount("sessions", "user_id = ?", user.id)).toBe(sessions);
    // A wrong password answers as ever.
    const wrong = await app("/api/login", json({ email: user.email, password: "not it" }));
    expect(wrong.status).toBe(401);
  });

  it("a code completes it: amr pwd+otp+mfa, kept by a refresh; a recovery code: pwd+mfa, and it is spent", async () => {
    const clock = fixedClock(Date.UTC(2051, 3, 1));
    const app = appWith({ clock });
    const { user, code, recoveryCodes } = await enrol(app, clock);
    const done = await secondStep(app, { mfa_token: await passwordStep(app, user), code: await code() });
    expect(done.status).toBe(200);
    const body = await done.json<{ token: string; refresh_token: string; id: string }>();
    expect(body.id).toBe(user.id);
    expect(decodeJwt(body.token).claims.amr).toEqual(["pwd", "otp", "mfa"]);
    const refreshed = await (await refresh(app, body.refresh_token)).json<{ token: string }>();
    expect(decodeJwt(refreshed.token).claims.amr).toEqual(["pwd", "otp", "mfa"]);

    const withRecovery = await secondStep(app, {
      mfa_token: await passwordStep(app, user),
      recovery_code: recoveryCodes[0],
    });
    expect(withRecovery.status).toBe(200);
    expect(decodeJwt((await withRecovery.json<{ token: string }>()).token).claims.amr).toEqual(["pwd", "mfa"]);
    const again = await secondStep(app, { mfa_token: await passwordStep(app, user), recovery_code: recoveryCodes[0] });
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual(errorBody(MFA_FAILED));
    const me = await (await app("/api/users/me", { headers: bearer(body.token) })).json();
    expect(me).toMatchObject({ recovery_codes_left: 9 });
  });

  it("accepts a code once (the same step again: 401), one step either side, not two", async () => {
    const clock = fixedClock(Date.UTC(2051, 4, 1));
    const app = appWith({ clock });
    const { user, code } = await enrol(app, clock);
    const now = await code();
    expect((await secondStep(app, { mfa_token: await passwordStep(app, user), code: now })).status).toBe(200);
    expect((await secondStep(app, { mfa_token: await passwordStep(app, user), code: now })).status).toBe(401);
    clock.advance(90);
    expect((await secondStep(app, { mfa_token: await passwordStep(app, user), code: await code(-2) })).status).toBe(
      401,
    );
    expect((await secondStep(app, { mfa_token: await passwordStep(app, user), code: await code(2) })).status).toBe(401);
    expect((await secondStep(app, { mfa_token: await passwordStep(app, user), code: await code(-1) })).status).toBe(
      200,
    );
    expect((await secondStep(app, { mfa_token: await passwordStep(app, user), code: await code(1) })).status).toBe(200);
  });

  it("two requests racing with one code, or one recovery code: one session", async () => {
    const clock = fixedClock(Date.UTC(2051, 5, 1));
    const app = appWith({ clock });
    const { user, code, recoveryCodes } = await enrol(app, clock);
    const now = await code();
    const tokens = [await passwordStep(app, user), await passwordStep(app, user), await passwordStep(app, user)];
    const byCode = await Promise.all(tokens.map((mfa_token) => secondStep(app, { mfa_token, code: now })));
    expect(byCode.map((res) => res.status).sort()).toEqual([200, 401, 401]);
    const more = [await passwordStep(app, user), await passwordStep(app, user)];
    const byRecovery = await Promise.all(
      more.map((mfa_token) => secondStep(app, { mfa_token, recovery_code: recoveryCodes[3] })),
    );
    expect(byRecovery.map((res) => res.status).sort()).toEqual([200, 401]);
  });

  it("an mfa_token dies with a password change, after five wrong codes, and after five minutes", async () => {
    const clock = fixedClock(Date.UTC(2051, 6, 1));
    const app = appWith({ clock });
    const { user, code } = await enrol(app, clock);
    const beforeChange = await passwordStep(app, user);
    const changed = await app("/api/users", put({ email: user.email, password: "another password" }, user.token));
    expect(changed.status).toBe(200);
    expect((await secondStep(app, { mfa_token: beforeChange, code: await code() })).status).toBe(401);

    const moved = { ...user, password: "another password" };
    const guessed = await passwordStep(app, moved);
    for (let i = 0; i < 5; i++) {
      expect((await secondStep(app, { mfa_token: guessed, code: "000000" })).status).toBe(401);
    }
    expect((await secondStep(app, { mfa_token: guessed, code: await code() })).status).toBe(401);

    const late = await passwordStep(app, moved);
    clock.advance(301);
    expect((await secondStep(app, { mfa_token: late, code: await code() })).status).toBe(401);
  });

  it("wrong codes count for the account across mfa_tokens: past MFA_MAX_FAILURES_PER_ACCOUNT, 429", async () => {
    const clock = fixedClock(Date.UTC(2051, 7, 1));
    const app = appWith({ clock }, { MFA_MAX_FAILURES_PER_ACCOUNT: "3" });
    const { user, code } = await enrol(app, clock);
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await secondStep(app, { mfa_token: await passwordStep(app, user), code: "000000" })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    // Even the right code waits now.
    expect((await secondStep(app, { mfa_token: await passwordStep(app, user), code: await code() })).status).toBe(429);
  });

  it("honours cookie mode: the refresh token only as the HttpOnly cookie", async () => {
    const clock = fixedClock(Date.UTC(2051, 8, 1));
    const app = appWith({ clock });
    const { user, code } = await enrol(app, clock);
    const cookie = { "X-Chirpy-Session": "cookie", Origin: "http://chirpy.test" };
    const res = await secondStep(app, { mfa_token: await passwordStep(app, user, cookie), code: await code() }, cookie);
    expect(res.status).toBe(200);
    expect(await res.json()).not.toHaveProperty("refresh_token");
    expect(res.headers.getAll("Set-Cookie").some((line) => line.startsWith("__Host-chirpy_refresh="))).toBe(true);
  });

  it("a password reset by mail keeps TOTP on; a passkey sign-in is not asked for a second step", async () => {
    const clock = fixedClock(Date.UTC(2051, 9, 1));
    const app = appWith({ clock });
    const { user } = await enrol(app, clock);
    const authenticator = new SoftAuthenticator("http://chirpy.test", "chirpy.test");
    const options = await (
      await app("/api/passkeys/registration-options", { method: "POST", headers: bearer(user.token) })
    ).json<{
      challenge: string;
      rp: { id: string };
      user: { id: string };
    }>();
    await app("/api/passkeys", json({ credential: await authenticator.create(options) }, bearer(user.token)));
    await app("/api/password-resets", json({ email: user.email }));
    const token = await tokenFrom(user.email, /Reset/);
    await app("/api/password-resets/confirm", json({ token, password: "after the reset" }));
    await passwordStep(app, { ...user, password: "after the reset" });
    const request = await (await app("/api/passkeys/authentication-options", { method: "POST" })).json<{
      challenge: string;
    }>();
    const signedIn = await app("/api/login/passkey", json({ credential: await authenticator.get(request) }));
    expect(signedIn.status).toBe(200);
  });
});

describe("recovery codes and turning it off", () => {
  it("new codes for a current code (the old ones stop working); off with a recovery code", async () => {
    const clock = fixedClock(Date.UTC(2051, 10, 1));
    const app = appWith({ clock });
    const { user, code, recoveryCodes } = await enrol(app, clock);
    const fresh = await app("/api/mfa/recovery-codes", json({ code: await code() }, bearer(user.token)));
    expect(fresh.status).toBe(200);
    const { recovery_codes } = await fresh.json<{ recovery_codes: string[] }>();
    expect(
      (await secondStep(app, { mfa_token: await passwordStep(app, user), recovery_code: recoveryCodes[0] })).status,
    ).toBe(401);
    const off = await app("/api/mfa/totp", {
      ...json({ code: recovery_codes[0] }, bearer(user.token)),
      method: "DELETE",
    });
    expect(off.status).toBe(204);
    expect((await mailbox(user.email))[0].subject).toBe("Two-factor authentication was turned off");
    const login = await app("/api/login", json({ email: user.email, password: PASSWORD }));
    expect(login.status).toBe(200);
    expect(await rowCount("recovery_codes", "user_id = ?", user.id)).toBe(0);
  });
});
