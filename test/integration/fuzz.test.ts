// Property-based fuzzing of every endpoint inside workerd (fast-check): random and mutated JSON
// bodies, wrong content types, odd and oversized headers, random Authorization values, Unicode
// and control characters. Properties: never a 5xx; every 4xx has a {"error": string} body; a
// 4xx changes no state (except that a failed login is counted, by design).
// Replay a failure: FUZZ_SEED=<seed printed below> FUZZ_RUNS=<n> npm test

import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { backgroundSettled } from "../../src/background";
import { appWith, describedOperations, type Fetcher, fixedClock, newUser, type TestUser, uncovered } from "../helpers";

const RUNS = Number(env.FUZZ_RUNS) || 1000;
const SEED = Number(env.FUZZ_SEED) || (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
console.log(`fuzz: ${RUNS} runs per endpoint, seed ${SEED} (replay with FUZZ_SEED=${SEED})`);

// PLATFORM=production so /admin/reset is fuzzed as the 403 it is in production, not run.
const clock = fixedClock(Date.now());
const app: Fetcher = appWith(
  { clock },
  {
    PLATFORM: "production",
    LOGIN_MAX_FAILURES_PER_IP: "1000000",
    WEBAUTHN_RP_ID: "chirpy.test",
    WEBAUTHN_ORIGINS: "http://chirpy.test",
    MFA_ENCRYPTION_KEY: "a fuzzing key of more than thirty-two bytes, not a real one",
  },
);
let fixture: TestUser;
let chirpId: string;

/** A fresh user with a live session and a chirp: the "real credential" some runs present. */
async function newFixture() {
  fixture = await newUser(app);
  const res = await app("/api/chirps", {
    method: "POST",
    headers: { Authorization: `Bearer ${fixture.token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ body: "fuzz target" }),
  });
  chirpId = (await res.json<{ id: string }>()).id;
  await backgroundSettled(); // the sign-up's verification mail
}

beforeAll(newFixture);

/** A cheap digest of every table: changes whenever a row is added, removed or touched. */
async function fingerprint(includeLoginAttempts: boolean) {
  const row = await env.DB.prepare(
    `select
      (select count(*) || ':' || coalesce(sum(is_chirpy_red), 0) || ':' || coalesce(sum(email_verified), 0) || ':' || coalesce(max(updated_at), 0) || ':' || coalesce(sum(length(email) + length(hashed_password)), 0) from users) as users,
      (select count(*) || ':' || coalesce(max(expires_at), 0) from account_tokens) as account_tokens,
      (select count(*) || ':' || count(revoked_at) || ':' || coalesce(max(last_used_at), 0) from sessions) as sessions,
      (select count(*) || ':' || count(revoked_at) || ':' || count(consumed_at) || ':' || coalesce(max(updated_at), 0) from refresh_tokens) as tokens,
      (select count(*) || ':' || coalesce(max(updated_at), 0) || ':' || coalesce(sum(length(body)), 0) from chirps) as chirps,
      (select count(*) || ':' || coalesce(sum(sign_count), 0) || ':' || coalesce(max(last_used_at), 0) from passkeys) as passkeys,
      (select count(*) || ':' || count(totp_secret) || ':' || count(totp_pending_secret) from users) as totp,
      (select count(*) from recovery_codes) || ':' || (select count(*) || ':' || coalesce(sum(failures), 0) from mfa_tokens) as mfa,
      (select count(*) || ':' || coalesce(sum(count), 0) from login_attempts) as attempts`,
  ).first<Record<string, string>>();
  if (!row) throw new Error("no fingerprint");
  if (!includeLoginAttempts) delete row.attempts;
  return row;
}

// ---- arbitraries ------------------------------------------------------------------------------
const printable = fc.string({
  unit: fc.constantFrom(..." !\"#$%&'()*+,-./0123456789:;<=>?@AZaz[\\]^_`{|}~"),
  maxLength: 64,
});
const weird = fc.oneof(
  fc.string({ unit: "binary", maxLength: 80 }), // any code point, lone surrogates and controls included
  fc.constantFrom("", " ", "\u0000", "\u202e", "😀".repeat(141), "a".repeat(5000), "ﬀ@ex.com", "a@b.co\n", "Σ@ΕΛ.gr"),
);
const email = fc.oneof(fc.emailAddress(), weird, fc.constant("saul@bettercall.com"));
const anyJson = fc.jsonValue({ maxDepth: 3 });
const mutate = (valid: Record<string, unknown>) =>
  fc
    .tuple(fc.constantFrom(...Object.keys(valid), "extra"), fc.oneof(anyJson, weird, fc.constant(undefined)))
    .map(([key, value]) => ({ ...valid, [key]: value }));

function bodies(valid: Record<string, unknown>): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    fc.constant(undefined),
    anyJson.map((v) => JSON.stringify(v)),
    mutate(valid).map((v) => JSON.stringify(v)),
    // Unicode, control characters and near-valid addresses where an email is expected.
    email.map((e) => JSON.stringify({ ...valid, ...("email" in valid ? { email: e } : { body: e }) })),
    weird,
    fc.constantFrom("{", "[1,", '{"email":', "null", "true", '"str"', "{}".repeat(1000)),
    fc.constant(JSON.stringify({ ...valid, pad: "x".repeat(1024 * 1024) })), // over 1 MiB
  );
}

const contentType = fc.option(
  fc.constantFrom(
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "multipart/form-data",
    "application/x-www-form-urlencoded",
    "application/vnd.api+json",
    "*/*",
    "garbage;;==",
  ),
);

const tamper = (token: string) =>
  fc
    .nat({ max: Math.max(0, token.length - 1) })
    .chain((i) => fc.constantFrom(..."A0_-.x").map((c) => token.slice(0, i) + c + token.slice(i + 1)));

type AuthKind = "access" | "refresh" | "apikey" | "none";
const realCredential = (kind: AuthKind) =>
  kind === "access"
    ? `Bearer ${fixture.token}`
    : kind === "refresh"
      ? `Bearer ${fixture.refreshToken}`
      : kind === "apikey"
        ? `ApiKey ${env.POLKA_KEY}`
        : undefined;

function authorization(kind: AuthKind): fc.Arbitrary<string | undefined> {
  const good = () => realCredential(kind) ?? "";
  return fc.oneof(
    fc.constant(undefined),
    printable,
    printable.map((s) => `Bearer ${s}`),
    printable.map((s) => `ApiKey ${s}`),
    fc.constantFrom(
      "Bearer",
      "Bearer ",
      "bearer  x",
      "Basic dXNlcjpwYXNz",
      "Bearer a.b.c",
      `Bearer ${"f".repeat(64)}`,
      `Bearer ${"x".repeat(8000)}`,
    ),
    fc.constant(null).chain(() => (kind === "none" ? printable : tamper(good()))),
    // The real credential sometimes, so bodies get past authentication.
    fc.constant(null).map(() => (kind === "none" ? undefined : good())),
  );
}

const oddHeaders = fc.dictionary(
  fc.constantFrom("X-Forwarded-For", "CF-Connecting-IP", "User-Agent", "Accept", "Origin", "X-Big", "Content-Encoding"),
  fc.oneof(printable, fc.constant("x".repeat(16 * 1024))),
  { maxKeys: 3 },
);

interface Endpoint {
  name: string;
  method: string;
  path: () => fc.Arbitrary<string>;
  auth: AuthKind;
  body?: Record<string, unknown>;
}

// Well-formed WebAuthn JSON that verifies nothing (a random challenge, keys and signature).
const b64 = (n: number) =>
  btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(n)))).replace(/[+/=]/g, "A");
const PLAUSIBLE_REGISTRATION = {
  id: b64(32),
  rawId: b64(32),
  type: "public-key",
  response: { clientDataJSON: b64(120), attestationObject: b64(200), transports: ["internal"] },
  clientExtensionResults: {},
};
const PLAUSIBLE_ASSERTION = {
  id: b64(32),
  rawId: b64(32),
  type: "public-key",
  response: { clientDataJSON: b64(120), authenticatorData: b64(37), signature: b64(70), userHandle: b64(16) },
  clientExtensionResults: {},
};

const idPath = (prefix: string, real: () => string) => () =>
  fc.oneof(
    fc.constant(null).map(() => `${prefix}/${real()}`),
    printable.map((s) => `${prefix}/${encodeURIComponent(s) || "x"}`),
    fc.uuid().map((u) => `${prefix}/${u}`),
  );
const fixed = (path: string) => () => fc.constant(path);

const endpoints: Endpoint[] = [
  { name: "GET /api/healthz", method: "GET", path: fixed("/api/healthz"), auth: "none" },
  { name: "POST /admin/reset", method: "POST", path: fixed("/admin/reset"), auth: "none" },
  {
    name: "POST /api/users",
    method: "POST",
    path: fixed("/api/users"),
    auth: "none",
    body: { email: "new@example.com", password: "pw" },
  },
  {
    name: "PUT /api/users",
    method: "PUT",
    path: fixed("/api/users"),
    auth: "access",
    body: { email: "new@example.com", password: "pw" },
  },
  {
    name: "POST /api/login",
    method: "POST",
    path: fixed("/api/login"),
    auth: "none",
    body: { email: "saul@bettercall.com", password: "123456" },
  },
  { name: "POST /api/refresh", method: "POST", path: fixed("/api/refresh"), auth: "refresh" },
  { name: "POST /api/revoke", method: "POST", path: fixed("/api/revoke"), auth: "refresh" },
  { name: "GET /api/sessions", method: "GET", path: fixed("/api/sessions"), auth: "access" },
  { name: "DELETE /api/sessions", method: "DELETE", path: fixed("/api/sessions"), auth: "access" },
  {
    name: "DELETE /api/sessions/{id}",
    method: "DELETE",
    path: idPath("/api/sessions", () => crypto.randomUUID()),
    auth: "access",
  },
  { name: "POST /api/chirps", method: "POST", path: fixed("/api/chirps"), auth: "access", body: { body: "hello" } },
  {
    name: "GET /api/chirps",
    method: "GET",
    path: () =>
      fc
        .record({
          author_id: fc.option(fc.oneof(fc.uuid(), printable)),
          sort: fc.option(fc.oneof(fc.constantFrom("asc", "desc"), printable)),
        })
        .map(({ author_id, sort }) => {
          const q = new URLSearchParams();
          if (author_id !== null) q.set("author_id", author_id);
          if (sort !== null) q.set("sort", sort);
          return `/api/chirps?${q}`;
        }),
    auth: "none",
  },
  { name: "GET /api/chirps/{id}", method: "GET", path: idPath("/api/chirps", () => chirpId), auth: "none" },
  { name: "DELETE /api/chirps/{id}", method: "DELETE", path: idPath("/api/chirps", () => chirpId), auth: "access" },
  {
    name: "POST /api/password-resets",
    method: "POST",
    path: fixed("/api/password-resets"),
    auth: "none",
    body: { email: "saul@bettercall.com" },
  },
  {
    name: "POST /api/password-resets/confirm",
    method: "POST",
    path: fixed("/api/password-resets/confirm"),
    auth: "none",
    body: { token: "f".repeat(64), password: "new password" },
  },
  { name: "POST /api/email-verifications", method: "POST", path: fixed("/api/email-verifications"), auth: "access" },
  {
    name: "POST /api/email-verifications/confirm",
    method: "POST",
    path: fixed("/api/email-verifications/confirm"),
    auth: "none",
    body: { token: "f".repeat(64) },
  },
  {
    name: "POST /api/email-changes/cancel",
    method: "POST",
    path: fixed("/api/email-changes/cancel"),
    auth: "none",
    body: { token: "f".repeat(64) },
  },
  { name: "GET /api/users/me", method: "GET", path: fixed("/api/users/me"), auth: "access" },
  {
    name: "POST /api/passkeys/registration-options",
    method: "POST",
    path: fixed("/api/passkeys/registration-options"),
    auth: "access",
  },
  {
    name: "POST /api/passkeys",
    method: "POST",
    path: fixed("/api/passkeys"),
    auth: "access",
    body: { credential: PLAUSIBLE_REGISTRATION, name: "Laptop" },
  },
  { name: "GET /api/passkeys", method: "GET", path: fixed("/api/passkeys"), auth: "access" },
  {
    name: "DELETE /api/passkeys/{id}",
    method: "DELETE",
    path: idPath("/api/passkeys", () => crypto.randomUUID()),
    auth: "access",
  },
  {
    name: "POST /api/passkeys/authentication-options",
    method: "POST",
    path: fixed("/api/passkeys/authentication-options"),
    auth: "none",
  },
  {
    name: "POST /api/login/passkey",
    method: "POST",
    path: fixed("/api/login/passkey"),
    auth: "none",
    body: { credential: PLAUSIBLE_ASSERTION },
  },
  {
    name: "POST /api/mfa/totp",
    method: "POST",
    path: fixed("/api/mfa/totp"),
    auth: "access",
    body: { password: "pw" },
  },
  {
    name: "POST /api/mfa/totp/confirm",
    method: "POST",
    path: fixed("/api/mfa/totp/confirm"),
    auth: "access",
    body: { code: "123456" },
  },
  {
    name: "POST /api/mfa/recovery-codes",
    method: "POST",
    path: fixed("/api/mfa/recovery-codes"),
    auth: "access",
    body: { code: "123456" },
  },
  {
    name: "DELETE /api/mfa/totp",
    method: "DELETE",
    path: fixed("/api/mfa/totp"),
    auth: "access",
    body: { code: "123456" },
  },
  {
    name: "POST /api/login/mfa",
    method: "POST",
    path: fixed("/api/login/mfa"),
    auth: "none",
    body: { mfa_token: "f".repeat(64), code: "123456" },
  },
  // PLATFORM=production here: the dev mailbox does not exist (404).
  {
    name: "GET /admin/mailbox",
    method: "GET",
    path: fixed("http://localhost:8787/admin/mailbox?to=saul%40bettercall.com"),
    auth: "none",
  },
  {
    name: "POST /api/polka/webhooks",
    method: "POST",
    path: fixed("/api/polka/webhooks"),
    auth: "apikey",
    body: { event: "user.upgraded", data: { user_id: "" } },
  },
];

/** The operations that spend a budget: those whose documented answers include a 429. */
async function budgetedOperations(): Promise<Set<string>> {
  const doc = await (await app("/openapi.json")).json<{
    paths: Record<string, Record<string, { responses: object }>>;
  }>();
  return new Set(
    Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => "429" in operation.responses)
        .map(([method]) => `${method.toUpperCase()} ${path.replace(/\{\w+\}/g, "{id}")}`),
    ),
  );
}

describe("fuzzing every endpoint", () => {
  let budgeted: Set<string>;
  beforeAll(async () => {
    budgeted = await budgetedOperations();
  });

  it("knows which operations spend a budget (their documented 429)", () => {
    expect(budgeted).toContain("POST /api/login");
    expect(budgeted).toContain("POST /api/passkeys/authentication-options");
    expect(budgeted).not.toContain("GET /api/chirps");
  });

  it("covers every operation the app describes (a new endpoint is fuzzed, or this names it)", async () => {
    const excused = {
      "GET /openapi.json": "takes no input: a constant document",
      "GET /docs": "takes no input: a constant page",
    };
    const names = endpoints.map((endpoint) => endpoint.name);
    expect(uncovered(await describedOperations(), names, excused)).toEqual([]);
  });

  for (const endpoint of endpoints) {
    it(`${endpoint.name}: no 5xx, JSON 4xx, no state change on 4xx`, { timeout: 300_000 }, async () => {
      await newFixture();
      const statuses: Record<number, number> = {};
      await fc.assert(
        fc.asyncProperty(
          endpoint.path(),
          authorization(endpoint.auth),
          endpoint.body ? bodies(endpoint.body) : fc.option(bodies({ x: 1 }), { freq: 4 }),
          contentType,
          oddHeaders,
          async (path, auth, body, type, extra) => {
            const headers = new Headers(extra);
            if (auth !== undefined) headers.set("Authorization", auth);
            if (type !== null) headers.set("Content-Type", type);
            const method = endpoint.method;
            const usedRealCredential = auth !== undefined && auth === realCredential(endpoint.auth);
            // An operation with a budget (its documented 429) counts the attempt before any work, by
            // design: its counters may move on a 4xx (a 429 past the budget counts too), nothing else.
            const counted = budgeted.has(endpoint.name);
            const before = await fingerprint(!counted);
            const res = await app(path, { method, headers, body: method === "GET" ? undefined : (body ?? undefined) });
            // Work after an earlier answer (a reset's lookup, a mail) must not land between the fingerprints.
            await backgroundSettled();
            statuses[res.status] = (statuses[res.status] ?? 0) + 1;
            // A success with the real credential may end the fixture's session (revoke, password
            // change, log out) or its chirp: start again from a fresh fixture.
            if (res.status < 300 && usedRealCredential) await newFixture();
            const text = await res.text();
            expect(res.status, text).toBeLessThan(500);
            if (res.status >= 400) {
              const parsed = JSON.parse(text);
              expect(Object.keys(parsed)).toEqual(["error", "code"]);
              expect(typeof parsed.error).toBe("string");
              expect(await fingerprint(!counted)).toEqual(before);
            }
          },
        ),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      console.log(`fuzz ${endpoint.name}: ${RUNS} runs, statuses ${JSON.stringify(statuses)}`);
      expect(Object.values(statuses).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(RUNS);
    });
  }
});
