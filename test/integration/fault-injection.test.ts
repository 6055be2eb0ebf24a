// D1 failing mid-request: every endpoint answers a JSON 500 (healthz a 503), leaks nothing, and
// leaves no partial state. Faults come from test/d1.ts's faultyD1: the Nth database call fails,
// either before it reaches D1 or after it ran (the answer lost on the way back).

import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { backgroundSettled } from "../../src/background";
import { stepAt, totpCode } from "../../src/crypto/totp";
import { DATABASE_UNAVAILABLE, errorBody, INTERNAL_ERROR } from "../../src/errors";
import { SoftAuthenticator } from "../authenticator";
import { faultyD1 } from "../d1";
import {
  appWith,
  base32Bytes,
  bearer,
  describedOperations,
  type Fetcher,
  json,
  newUser,
  PASSWORD,
  postChirp,
  refresh,
  revoke,
  sessionIdOf,
  type TestUser,
  tokenFrom,
  uncovered,
  uniqueEmail,
} from "../helpers";

/** Rows that must never exist, whatever failed: the database's own integrity rules. */
async function partialState(): Promise<Record<string, number>> {
  const count = async (query: string) => (await env.DB.prepare(query).first<{ n: number }>())?.n ?? -1;
  return {
    usersWithoutHash: await count("select count(*) as n from users where hashed_password not like 'pbkdf2-sha256$%'"),
    sessionsWithoutToken: await count(
      "select count(*) as n from sessions s where not exists (select 1 from refresh_tokens t where t.session_id = s.id)",
    ),
    tokensWithoutSession: await count(
      "select count(*) as n from refresh_tokens t where not exists (select 1 from sessions s where s.id = t.session_id)",
    ),
    tokensOfAnotherUser: await count(
      "select count(*) as n from refresh_tokens t join sessions s on s.id = t.session_id where s.user_id <> t.user_id",
    ),
    chirpsWithoutUser: await count(
      "select count(*) as n from chirps c where not exists (select 1 from users u where u.id = c.user_id)",
    ),
    consumedWithoutSuccessor: await count(
      "select count(*) as n from refresh_tokens t where t.consumed_at is not null and t.rotation_nonce is null",
    ),
  };
}

interface Scenario {
  name: string;
  rotation?: boolean;
  /** Makes the request against the faulty app; gets a fresh user made on the healthy app. */
  call(app: Fetcher, user: TestUser, chirpId: string): Promise<Response>;
}

const scenarios: Scenario[] = [
  { name: "POST /api/users", call: (app) => app("/api/users", json({ email: uniqueEmail("fault"), password: "pw" })) },
  { name: "POST /api/login", call: (app, user) => app("/api/login", json({ email: user.email, password: PASSWORD })) },
  {
    name: "PUT /api/users",
    call: (app, user) =>
      app("/api/users", { ...json({ email: user.email, password: "new-pw" }, bearer(user.token)), method: "PUT" }),
  },
  {
    name: "POST /api/refresh",
    call: (app, user) => refresh(app, user.refreshToken),
  },
  {
    name: "POST /api/refresh (rotation)",
    rotation: true,
    call: (app, user) => refresh(app, user.refreshToken),
  },
  {
    name: "POST /api/revoke",
    call: (app, user) => revoke(app, user.refreshToken),
  },
  { name: "GET /api/sessions", call: (app, user) => app("/api/sessions", { headers: bearer(user.token) }) },
  {
    name: "DELETE /api/sessions",
    call: (app, user) => app("/api/sessions", { method: "DELETE", headers: bearer(user.token) }),
  },
  { name: "POST /api/chirps", call: (app, user) => postChirp(app, user.token, "fault") },
  { name: "GET /api/chirps", call: (app, user) => app(`/api/chirps?author_id=${user.id}`) },
  { name: "GET /api/chirps/{id}", call: (app, _user, chirpId) => app(`/api/chirps/${chirpId}`) },
  {
    name: "DELETE /api/chirps/{id}",
    call: (app, user, chirpId) => app(`/api/chirps/${chirpId}`, { method: "DELETE", headers: bearer(user.token) }),
  },
  {
    name: "POST /api/polka/webhooks",
    call: (app, user) =>
      app(
        "/api/polka/webhooks",
        json({ event: "user.upgraded", data: { user_id: user.id } }, { Authorization: `ApiKey ${env.POLKA_KEY}` }),
      ),
  },
  {
    name: "DELETE /api/sessions/{id}",
    call: async (app, user) => {
      const other = await (await appWith({})("/api/login", json({ email: user.email, password: PASSWORD }))).json<{
        token: string;
      }>();
      return app(`/api/sessions/${sessionIdOf(other.token)}`, { method: "DELETE", headers: bearer(user.token) });
    },
  },
  // Recovery: the request's work runs after its 202 (a fault there leaves the answer standing).
  { name: "POST /api/password-resets", call: (app, user) => app("/api/password-resets", json({ email: user.email })) },
  {
    name: "POST /api/password-resets/confirm",
    call: async (app, user) => {
      await appWith({})("/api/password-resets", json({ email: user.email }));
      const token = await tokenFrom(user.email, /Reset/);
      return app("/api/password-resets/confirm", json({ token, password: "a new password" }));
    },
  },
  {
    name: "POST /api/email-verifications",
    call: (app, user) => app("/api/email-verifications", { method: "POST", headers: bearer(user.token) }),
  },
  {
    name: "POST /api/email-verifications/confirm",
    call: async (app, user) =>
      app("/api/email-verifications/confirm", json({ token: await tokenFrom(user.email, /Confirm/) })),
  },
  {
    name: "POST /api/email-changes/cancel",
    call: (app) => app("/api/email-changes/cancel", json({ token: "0".repeat(64) })),
  },
  // Passkeys: the ceremonies' options come from a sound app, the faulted request is the one tested.
  { name: "GET /api/users/me", call: (app, user) => app("/api/users/me", { headers: bearer(user.token) }) },
  {
    name: "POST /api/passkeys/registration-options",
    call: (app, user) => app("/api/passkeys/registration-options", { method: "POST", headers: bearer(user.token) }),
  },
  {
    name: "POST /api/passkeys",
    call: async (app, user) => {
      const credential = await new SoftAuthenticator(ORIGIN, "chirpy.test").create(await creationOptions(user));
      return app("/api/passkeys", json({ credential }, bearer(user.token)));
    },
  },
  { name: "GET /api/passkeys", call: (app, user) => app("/api/passkeys", { headers: bearer(user.token) }) },
  {
    name: "DELETE /api/passkeys/{id}",
    call: async (app, user) => {
      const { passkey } = await withPasskey(user);
      return app(`/api/passkeys/${passkey.id}`, { method: "DELETE", headers: bearer(user.token) });
    },
  },
  {
    name: "POST /api/passkeys/authentication-options",
    call: (app) => app("/api/passkeys/authentication-options", { method: "POST" }),
  },
  {
    name: "POST /api/login/passkey",
    call: async (app, user) => {
      const { authenticator } = await withPasskey(user);
      const options = await (await appWith({})("/api/passkeys/authentication-options", { method: "POST" })).json<{
        challenge: string;
      }>();
      return app("/api/login/passkey", json({ credential: await authenticator.get(options) }));
    },
  },
  // Two-factor authentication: enrolment, and the login's second step.
  {
    name: "POST /api/mfa/totp",
    call: (app, user) => app("/api/mfa/totp", json({ password: PASSWORD }, bearer(user.token))),
  },
  {
    name: "POST /api/mfa/totp/confirm",
    call: async (app, user) => {
      const secret = await startEnrolment(user);
      return app("/api/mfa/totp/confirm", json({ code: await currentCode(secret) }, bearer(user.token)));
    },
  },
  {
    name: "POST /api/mfa/recovery-codes",
    call: async (app, user) => {
      const secret = await enrolled(user);
      return app("/api/mfa/recovery-codes", json({ code: await currentCode(secret, 1) }, bearer(user.token)));
    },
  },
  {
    name: "DELETE /api/mfa/totp",
    call: async (app, user) => {
      const secret = await enrolled(user);
      return app("/api/mfa/totp", {
        ...json({ code: await currentCode(secret, 1) }, bearer(user.token)),
        method: "DELETE",
      });
    },
  },
  {
    name: "POST /api/login/mfa",
    call: async (app, user) => {
      const secret = await enrolled(user);
      const first = await appWith({})("/api/login", json({ email: user.email, password: PASSWORD }));
      const { mfa_token } = await first.json<{ mfa_token: string }>();
      return app("/api/login/mfa", json({ mfa_token, code: await currentCode(secret, 1) }));
    },
  },
];

/** Starts a TOTP enrolment with a sound app; the secret's bytes. */
async function startEnrolment(user: TestUser): Promise<Uint8Array> {
  const res = await appWith({})("/api/mfa/totp", json({ password: PASSWORD }, bearer(user.token)));
  const { secret } = await res.json<{ secret: string }>();
  return base32Bytes(secret);
}

/** The code of now (plus `offset` steps). */
const currentCode = (secret: Uint8Array, offset = 0) => totpCode(secret, stepAt(Date.now()) + offset);

/** TOTP turned on with a sound app (its step spent: the next code is a step ahead). */
async function enrolled(user: TestUser): Promise<Uint8Array> {
  const secret = await startEnrolment(user);
  await appWith({})("/api/mfa/totp/confirm", json({ code: await currentCode(secret) }, bearer(user.token)));
  return secret;
}

const ORIGIN = "http://chirpy.test";

async function creationOptions(user: TestUser) {
  const res = await appWith({})("/api/passkeys/registration-options", { method: "POST", headers: bearer(user.token) });
  return res.json<{ challenge: string; rp: { id: string }; user: { id: string } }>();
}

/** The user with a passkey added by a sound app, and the authenticator that holds it. */
async function withPasskey(user: TestUser) {
  const authenticator = new SoftAuthenticator(ORIGIN, "chirpy.test");
  const credential = await authenticator.create(await creationOptions(user));
  const added = await appWith({})("/api/passkeys", json({ credential }, bearer(user.token)));
  return { authenticator, passkey: await added.json<{ id: string }>() };
}

afterEach(() => vi.restoreAllMocks());

describe("D1 faults", () => {
  it("cover every operation the app describes (a new endpoint is faulted, or this names it)", async () => {
    const excused = {
      "GET /api/healthz": "its own test below: 503 while D1 is down",
      "POST /admin/reset": "a dev tool that deletes every user: not run between this file's tests",
      "GET /admin/mailbox": "reads memory, never D1",
      "GET /openapi.json": "never reaches D1",
      "GET /docs": "never reaches D1",
    };
    const names = scenarios.map((scenario) => scenario.name.replace(/ \(.*\)$/, ""));
    expect(uncovered(await describedOperations(), names, excused)).toEqual([]);
  });

  for (const scenario of scenarios) {
    it(`${scenario.name}: every injected fault gives a JSON 500, no leak, no partial state`, async () => {
      const logged: string[] = [];
      vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void logged.push(args.join(" ")));
      const bindings = scenario.rotation ? { REFRESH_TOKEN_ROTATION: "on" } : {};
      let faults = 0;
      for (const mode of ["before", "after"] as const) {
        // Fault the 1st, 2nd, … database call until the request makes fewer calls than that.
        for (let failAt = 1; failAt <= 10; failAt++) {
          const user = await newUser(appWith({}, bindings));
          const chirp = await (await postChirp(appWith({}, bindings), user.token, "target")).json<{ id: string }>();
          const { db, state } = faultyD1(failAt, mode);
          const res = await scenario.call(appWith({}, { ...bindings, DB: db }), user, chirp.id);
          const callsBeforeAnswer = state.calls;
          await backgroundSettled();
          if (!state.injected) break;
          faults++;
          const text = await res.text();
          if (failAt > callsBeforeAnswer) {
            // The fault hit work that runs after the answer (a mail): the answer stands.
            expect(res.status, `${mode} background call ${failAt}: ${text}`).toBeLessThan(300);
            continue;
          }
          expect(res.status, `${mode} call ${failAt}: ${text}`).toBe(500);
          expect(JSON.parse(text)).toEqual(errorBody(INTERNAL_ERROR));
          // Neither the answer nor the log carries a credential or the SQL (with its bound values).
          const log = logged.join("\n");
          for (const secret of [user.token, user.refreshToken, PASSWORD]) {
            expect(text).not.toContain(secret);
            expect(log).not.toContain(secret);
          }
          expect(log).not.toMatch(/\b(select|insert|update|delete)\b.*\bfrom|into|set\b/i);
        }
      }
      expect(faults).toBeGreaterThan(0);
      expect(await partialState()).toEqual({
        usersWithoutHash: 0,
        sessionsWithoutToken: 0,
        tokensWithoutSession: 0,
        tokensOfAnotherUser: 0,
        chirpsWithoutUser: 0,
        consumedWithoutSuccessor: 0,
      });
      console.info(`${scenario.name}: ${faults} faults injected`);
    });
  }

  it("a rotation whose answer was lost can be retried inside the grace window", async () => {
    const bindings = { REFRESH_TOKEN_ROTATION: "on" };
    const user = await newUser(appWith({}, bindings));
    const { db } = faultyD1(1, "after"); // the batch commits, the response never arrives
    const lost = await appWith({}, { ...bindings, DB: db })("/api/refresh", {
      method: "POST",
      headers: bearer(user.refreshToken),
    });
    expect(lost.status).toBe(500);
    const retry = await appWith({}, bindings)("/api/refresh", { method: "POST", headers: bearer(user.refreshToken) });
    expect(retry.status).toBe(200);
    const { token } = await retry.json<{ token: string }>();
    expect((await postChirp(appWith({}, bindings), token, "still logged in")).status).toBe(201);
  });

  it("GET /api/healthz answers 503 while D1 is down and 200 once it is back", async () => {
    const { db } = faultyD1(1, "before");
    const down = await appWith({}, { DB: db })("/api/healthz");
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual(errorBody(DATABASE_UNAVAILABLE));
    expect((await appWith({})("/api/healthz")).status).toBe(200);
  });
});
