// The round-trip budget: for every endpoint, the D1 trips a request makes (a statement or a batch
// is one), the session each ran in (first-primary trips go to the primary; first-unconstrained or
// bookmark trips may be served by a replica), and the rows D1 reports reading and writing (what it
// bills, and what fills the one-query-at-a-time queue of a database). A change that adds a trip or
// grows the rows fails here, and docs/edge-and-scaling.md's table says the same numbers.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { backgroundSettled } from "../../src/background";
import { stepAt, totpCode } from "../../src/crypto/totp";
import { SoftAuthenticator } from "../authenticator";
import { roundTripRecorder, type Trip } from "../d1";
import {
  appWith,
  base32Bytes,
  bearer,
  describedOperations,
  type Fetcher,
  type FixedClock,
  fixedClock,
  json,
  newUser,
  PASSWORD,
  postChirp,
  put,
  refresh,
  revoke,
  sessionIdOf,
  tokenFrom,
  uncovered,
  uniqueEmail,
} from "../helpers";

interface Budget {
  /** Trips that must go to the primary. */
  primary: number;
  /** Trips a replica may serve. */
  replica: number;
  rowsRead: number;
  rowsWritten: number;
}

interface Fixture {
  app: Fetcher;
  /** The same app with the same clock, not recorded: for a call's own preparation. */
  setup: Fetcher;
  user: Awaited<ReturnType<typeof newUser>>;
  other: { token: string; refresh_token: string };
  chirpId: string;
  clock: FixedClock;
}

const ORIGIN = "http://chirpy.test";

/** As production sees every request: with the client's address (an IPv4 one: one network tier). */
const FROM = { "CF-Connecting-IP": "192.0.2.1" };

// endpoint → [the call, its budget]. Rows are for the fixture: a user with two sessions and one
// chirp (the chirp list reads that author's chirps: rows grow with them).
const ENDPOINTS: [string, (f: Fixture) => Promise<Response>, Budget, Record<string, string>?][] = [
  ["GET /api/healthz", (f) => f.app("/api/healthz"), { primary: 1, replica: 0, rowsRead: 0, rowsWritten: 0 }],
  [
    "POST /api/users",
    (f) => f.app("/api/users", json({ email: uniqueEmail("budget"), password: PASSWORD }, FROM)),
    { primary: 4, replica: 0, rowsRead: 9, rowsWritten: 17 },
  ],
  [
    "PUT /api/users (email only)",
    (f) => f.app("/api/users", put({ email: uniqueEmail("renamed"), password: PASSWORD }, f.user.token, FROM)),
    { primary: 6, replica: 0, rowsRead: 17, rowsWritten: 15 },
  ],
  [
    "PUT /api/users (new password)",
    (f) => f.app("/api/users", put({ email: f.user.email, password: "a new password" }, f.user.token, FROM)),
    { primary: 5, replica: 0, rowsRead: 18, rowsWritten: 11 },
  ],
  [
    "POST /api/login",
    (f) => f.app("/api/login", json({ email: f.user.email, password: PASSWORD }, FROM)),
    { primary: 2, replica: 0, rowsRead: 38, rowsWritten: 26 },
  ],
  [
    "POST /api/refresh",
    (f) => refresh(f.app, f.user.refreshToken),
    { primary: 1, replica: 0, rowsRead: 2, rowsWritten: 0 },
    { SESSION_TOUCH_INTERVAL_SECONDS: "3600" },
  ],
  [
    "POST /api/refresh (first after SESSION_TOUCH_INTERVAL_SECONDS)",
    (f) => refresh(f.app, f.user.refreshToken),
    { primary: 2, replica: 0, rowsRead: 3, rowsWritten: 2 },
  ],
  [
    "POST /api/refresh (rotation on)",
    (f) => refresh(f.app, f.user.refreshToken),
    { primary: 1, replica: 0, rowsRead: 14, rowsWritten: 7 },
    { REFRESH_TOKEN_ROTATION: "on" },
  ],
  [
    "POST /api/revoke",
    (f) => revoke(f.app, f.user.refreshToken),
    { primary: 1, replica: 0, rowsRead: 7, rowsWritten: 3 },
  ],
  [
    "GET /api/sessions",
    (f) => f.app("/api/sessions", { headers: bearer(f.user.token) }),
    { primary: 2, replica: 0, rowsRead: 5, rowsWritten: 0 },
  ],
  [
    "DELETE /api/sessions/{id}",
    (f) => f.app(`/api/sessions/${sessionIdOf(f.other.token)}`, { method: "DELETE", headers: bearer(f.user.token) }),
    { primary: 1, replica: 0, rowsRead: 3, rowsWritten: 2 },
  ],
  [
    "DELETE /api/sessions",
    (f) => f.app("/api/sessions", { method: "DELETE", headers: bearer(f.user.token) }),
    { primary: 1, replica: 0, rowsRead: 10, rowsWritten: 4 },
  ],
  [
    "POST /api/chirps",
    (f) => postChirp(f.app, f.user.token, "within budget"),
    { primary: 1, replica: 0, rowsRead: 3, rowsWritten: 4 },
  ],
  [
    "GET /api/chirps?author_id=",
    (f) => f.app(`/api/chirps?author_id=${f.user.id}`),
    { primary: 0, replica: 1, rowsRead: 2, rowsWritten: 0 },
  ],
  [
    "GET /api/chirps/{id}",
    (f) => f.app(`/api/chirps/${f.chirpId}`),
    { primary: 0, replica: 1, rowsRead: 1, rowsWritten: 0 },
  ],
  [
    "DELETE /api/chirps/{id}",
    (f) => f.app(`/api/chirps/${f.chirpId}`, { method: "DELETE", headers: bearer(f.user.token) }),
    { primary: 1, replica: 0, rowsRead: 3, rowsWritten: 1 },
  ],
  [
    "POST /api/polka/webhooks",
    (f) =>
      f.app(
        "/api/polka/webhooks",
        json({ event: "user.upgraded", data: { user_id: f.user.id } }, { Authorization: `ApiKey ${env.POLKA_KEY}` }),
      ),
    { primary: 1, replica: 0, rowsRead: 2, rowsWritten: 1 },
  ],
  ["GET /openapi.json", (f) => f.app("/openapi.json"), { primary: 0, replica: 0, rowsRead: 0, rowsWritten: 0 }],
  // Recovery: most of the work runs after the 202 (counted here, after it settles).
  [
    "POST /api/password-resets (and its work after the 202)",
    (f) => f.app("/api/password-resets", json({ email: f.user.email }, FROM)),
    { primary: 1, replica: 0, rowsRead: 13, rowsWritten: 12 },
  ],
  [
    "POST /api/password-resets/confirm",
    async (f) => {
      await f.setup("/api/password-resets", json({ email: f.user.email }, FROM));
      return f.app(
        "/api/password-resets/confirm",
        json({ token: await tokenFrom(f.user.email, /Reset/), password: "new password" }),
      );
    },
    { primary: 3, replica: 0, rowsRead: 26, rowsWritten: 8 },
  ],
  [
    "POST /api/email-verifications (and its work after the 202)",
    (f) => f.app("/api/email-verifications", { method: "POST", headers: bearer(f.user.token) }),
    { primary: 4, replica: 0, rowsRead: 9, rowsWritten: 8 },
  ],
  [
    "POST /api/email-verifications/confirm",
    async (f) => f.app("/api/email-verifications/confirm", json({ token: await tokenFrom(f.user.email, /Confirm/) })),
    { primary: 1, replica: 0, rowsRead: 17, rowsWritten: 2 },
  ],
  [
    "GET /api/users/me",
    (f) => f.app("/api/users/me", { headers: bearer(f.user.token) }),
    { primary: 2, replica: 0, rowsRead: 2, rowsWritten: 0 },
  ],
  [
    "POST /api/passkeys/registration-options",
    (f) => f.app("/api/passkeys/registration-options", { method: "POST", headers: bearer(f.user.token) }),
    { primary: 2, replica: 0, rowsRead: 4, rowsWritten: 6 },
  ],
  [
    "POST /api/passkeys (and its notice after the 201)",
    async (f) => {
      const credential = await new SoftAuthenticator(ORIGIN, "chirpy.test").create(await creationOptions(f));
      return f.app("/api/passkeys", json({ credential }, bearer(f.user.token)));
    },
    { primary: 3, replica: 0, rowsRead: 12, rowsWritten: 7 },
  ],
  [
    "GET /api/passkeys",
    (f) => f.app("/api/passkeys", { headers: bearer(f.user.token) }),
    { primary: 2, replica: 0, rowsRead: 2, rowsWritten: 0 },
  ],
  [
    "DELETE /api/passkeys/{id}",
    async (f) => {
      const { passkey } = await withPasskey(f);
      return f.app(`/api/passkeys/${passkey.id}`, { method: "DELETE", headers: bearer(f.user.token) });
    },
    { primary: 2, replica: 0, rowsRead: 5, rowsWritten: 1 },
  ],
  [
    "POST /api/passkeys/authentication-options",
    (f) => f.app("/api/passkeys/authentication-options", { method: "POST", headers: FROM }),
    { primary: 1, replica: 0, rowsRead: 1, rowsWritten: 7 },
  ],
  [
    "POST /api/login/passkey",
    async (f) => {
      const { authenticator } = await withPasskey(f);
      const options = await (await f.setup("/api/passkeys/authentication-options", { method: "POST" })).json<{
        challenge: string;
      }>();
      return f.app("/api/login/passkey", json({ credential: await authenticator.get(options) }, FROM));
    },
    { primary: 2, replica: 0, rowsRead: 30, rowsWritten: 16 },
  ],
  [
    "POST /api/mfa/totp",
    (f) => f.app("/api/mfa/totp", json({ password: PASSWORD }, bearer(f.user.token))),
    { primary: 3, replica: 0, rowsRead: 8, rowsWritten: 4 },
  ],
  [
    "POST /api/mfa/totp/confirm (and its notice after the 200)",
    async (f) => {
      const secret = await startEnrolment(f);
      return f.app("/api/mfa/totp/confirm", json({ code: await codeOf(f, secret) }, bearer(f.user.token)));
    },
    { primary: 3, replica: 0, rowsRead: 18, rowsWritten: 33 },
  ],
  [
    "POST /api/mfa/recovery-codes",
    async (f) => {
      const secret = await enrolled(f);
      return f.app("/api/mfa/recovery-codes", json({ code: await codeOf(f, secret, 1) }, bearer(f.user.token)));
    },
    { primary: 2, replica: 0, rowsRead: 40, rowsWritten: 41 },
  ],
  [
    "DELETE /api/mfa/totp (and its notice after the 204)",
    async (f) => {
      const secret = await enrolled(f);
      return f.app("/api/mfa/totp", {
        ...json({ code: await codeOf(f, secret, 1) }, bearer(f.user.token)),
        method: "DELETE",
      });
    },
    { primary: 3, replica: 0, rowsRead: 29, rowsWritten: 13 },
  ],
  [
    "POST /api/login/mfa",
    async (f) => {
      const secret = await enrolled(f);
      const first = await f.setup("/api/login", json({ email: f.user.email, password: PASSWORD }, FROM));
      const { mfa_token } = await first.json<{ mfa_token: string }>();
      return f.app("/api/login/mfa", json({ mfa_token, code: await codeOf(f, secret, 1) }, FROM));
    },
    { primary: 3, replica: 0, rowsRead: 25, rowsWritten: 15 },
  ],
];

/** Starts a TOTP enrolment with the fixture's setup app; the secret's bytes. */
async function startEnrolment(f: Fixture): Promise<Uint8Array> {
  const res = await f.setup("/api/mfa/totp", json({ password: PASSWORD }, bearer(f.user.token)));
  const { secret } = await res.json<{ secret: string }>();
  return base32Bytes(secret);
}

const codeOf = (f: Fixture, secret: Uint8Array, offset = 0) => totpCode(secret, stepAt(f.clock.now()) + offset);

/** TOTP turned on by the setup app (its step spent). */
async function enrolled(f: Fixture): Promise<Uint8Array> {
  const secret = await startEnrolment(f);
  await f.setup("/api/mfa/totp/confirm", json({ code: await codeOf(f, secret) }, bearer(f.user.token)));
  return secret;
}

async function creationOptions(f: Fixture) {
  const res = await f.setup("/api/passkeys/registration-options", { method: "POST", headers: bearer(f.user.token) });
  return res.json<{ challenge: string; rp: { id: string }; user: { id: string } }>();
}

/** A passkey added by the fixture's setup app, and the authenticator that holds it. */
async function withPasskey(f: Fixture) {
  const authenticator = new SoftAuthenticator(ORIGIN, "chirpy.test");
  const credential = await authenticator.create(await creationOptions(f));
  const added = await f.setup("/api/passkeys", json({ credential }, bearer(f.user.token)));
  return { authenticator, passkey: await added.json<{ id: string }>() };
}

function summarize(trips: Trip[]): Budget {
  return {
    primary: trips.filter((t) => t.session === "first-primary").length,
    replica: trips.filter((t) => t.session !== "first-primary").length,
    rowsRead: trips.reduce((n, t) => n + t.rowsRead, 0),
    rowsWritten: trips.reduce((n, t) => n + t.rowsWritten, 0),
  };
}

describe("round-trip budget per endpoint", () => {
  const measured: Record<string, Budget> = {};

  it.each(ENDPOINTS)("%s stays within its budget", async (_name, call, budget, bindings = {}) => {
    const clock = fixedClock(Date.UTC(2035, 0, 1));
    const setup = appWith({ clock }, bindings);
    const user = await newUser(setup);
    const other = await (await setup("/api/login", json({ email: user.email, password: PASSWORD }))).json<{
      token: string;
      refresh_token: string;
    }>();
    const chirp = await (await postChirp(setup, user.token, "fixture")).json<{ id: string }>();
    clock.advance(600); // past the default 300 s touch interval

    const trips: Trip[] = [];
    const app = appWith({ clock }, { ...bindings, DB: roundTripRecorder(trips) });
    const res = await call({ app, setup, user, other, chirpId: chirp.id, clock });
    expect(res.status).toBeLessThan(300);
    // Work after the answer (mail and what decides it) is counted with the request that caused it.
    await backgroundSettled();
    const got = summarize(trips);
    measured[_name] = got;
    // Trips exactly; rows at most (SQLite's counts include index pages it walks).
    expect({ primary: got.primary, replica: got.replica }).toEqual({
      primary: budget.primary,
      replica: budget.replica,
    });
    expect(got.rowsRead, "rows read").toBeLessThanOrEqual(budget.rowsRead);
    expect(got.rowsWritten, "rows written").toBeLessThanOrEqual(budget.rowsWritten);
  });

  it("covers every operation the app describes (a new endpoint is counted, or this names it)", async () => {
    const excused = {
      "POST /admin/reset": "a dev tool that deletes every user",
      "GET /admin/mailbox": "a dev tool: memory, never D1",
      "GET /docs": "a constant page, never D1",
      "POST /api/email-changes/cancel":
        "needs a change held under REQUIRE_VERIFIED_EMAIL: one batch, like the verification confirm",
    };
    const names = ENDPOINTS.map(([name]) => name.replace(/ \(.*\)$/, "").replace(/\?.*$/, ""));
    expect(uncovered(await describedOperations(), names, excused)).toEqual([]);
  });

  it("prints the table", () => {
    console.info(
      ["| endpoint | primary trips | replica-eligible trips | rows read | rows written |", "|---|---|---|---|---|"]
        .concat(
          Object.entries(measured).map(
            ([name, b]) => `| \`${name}\` | ${b.primary} | ${b.replica} | ${b.rowsRead} | ${b.rowsWritten} |`,
          ),
        )
        .join("\n"),
    );
    expect(Object.keys(measured)).toHaveLength(ENDPOINTS.length);
  });
});
