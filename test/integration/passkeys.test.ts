// Passkeys against real D1 with a software authenticator (test/authenticator.ts: real P-256
// keys and signatures): adding one, signing in with it, every refusal the ceremonies must make,
// single-use challenges under concurrency, the counter, cookie mode, budgets and `amr`.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { errorBody, INVALID_PASSKEY, PASSKEY_LOGIN_FAILED, PASSKEY_NOT_FOUND } from "../../src/errors";
import { SoftAuthenticator, type Tamper } from "../authenticator";
import {
  appWith,
  bearer,
  decodeJwt,
  type Fetcher,
  fixedClock,
  json,
  mailbox,
  newUser,
  PASSWORD,
  refresh,
  rowCount,
  type TestUser,
  tokenFrom,
  uniqueEmail,
} from "../helpers";
import { securityEvents } from "../log-guard";

const ORIGIN = "http://chirpy.test";
/** A JSON POST with the access token. */
const post = (body: unknown, token: string) => json(body, bearer(token));

async function creationOptions(app: Fetcher, token: string) {
  const res = await app("/api/passkeys/registration-options", { method: "POST", headers: bearer(token) });
  expect(res.status).toBe(200);
  return res.json<{
    challenge: string;
    rp: { id: string; name: string };
    user: { id: string; name: string; displayName: string };
    excludeCredentials: { id: string }[];
    authenticatorSelection: Record<string, unknown>;
    attestation: string;
  }>();
}

/** Adds a passkey through the API, as the web app does; returns the answer. */
async function addPasskey(app: Fetcher, user: TestUser, authenticator: SoftAuthenticator, tamper: Tamper = {}) {
  const options = await creationOptions(app, user.token);
  const credential = await authenticator.create(options, tamper);
  return app("/api/passkeys", post({ credential, name: "Laptop" }, user.token));
}

async function requestOptions(app: Fetcher, headers: Record<string, string> = {}) {
  const res = await app("/api/passkeys/authentication-options", { method: "POST", headers });
  expect(res.status).toBe(200);
  return res.json<{ challenge: string; rpId: string; allowCredentials: unknown[]; userVerification: string }>();
}

/** Signs in with the authenticator's newest passkey. */
async function signIn(app: Fetcher, authenticator: SoftAuthenticator, tamper: Tamper = {}, headers = {}) {
  const credential = await authenticator.get(await requestOptions(app), tamper);
  return app("/api/login/passkey", json({ credential }, headers));
}

async function userWithPasskey(app: Fetcher, authenticator = new SoftAuthenticator(ORIGIN, "chirpy.test")) {
  const user = await newUser(app, uniqueEmail("passkey"));
  const added = await addPasskey(app, user, authenticator);
  expect(added.status).toBe(201);
  return { user, authenticator, passkey: await added.json<{ id: string; name: string }>() };
}

const passkeyRows = (userId: string) => rowCount("passkeys", "user_id = ?", userId);

describe("adding a passkey", () => {
  it("offers creation options with a random user handle, a resident key and the passkeys to exclude", async () => {
    const app = appWith({});
    const { user, passkey } = await userWithPasskey(app);
    const options = await creationOptions(app, user.token);
    expect(options.rp).toEqual({ id: "chirpy.test", name: "Chirpy" });
    expect(options.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(options.user.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(options.user.id).not.toContain(user.id);
    expect(options.user.name).toBe(user.email);
    expect((await creationOptions(app, user.token)).user.id).toBe(options.user.id); // one handle per user
    expect(options.excludeCredentials).toHaveLength(1);
    expect(options.authenticatorSelection).toEqual({
      residentKey: "required",
      requireResidentKey: true,
      userVerification: "preferred",
    });
    expect(options.attestation).toBe("none");
    expect(passkey.name).toBe("Laptop");
  });

  it("answers 201 with the passkey, lists it, counts it in /api/users/me, and tells the address", async () => {
    const app = appWith({});
    const { user, passkey } = await userWithPasskey(app);
    expect(passkey).toEqual({
      id: expect.any(String),
      name: "Laptop",
      created_at: expect.any(String),
      last_used_at: null,
    });
    const listed = await app("/api/passkeys", { headers: bearer(user.token) });
    expect(await listed.json()).toEqual([passkey]);
    const me = await app("/api/users/me", { headers: bearer(user.token) });
    expect(await me.json()).toMatchObject({ id: user.id, email: user.email, passkeys: 1 });
    const mails = await mailbox(user.email);
    expect(mails.map((mail) => mail.subject)).toContain("A passkey was added to your account");
    expect(securityEvents()).toContainEqual(
      expect.objectContaining({ event: "passkey.registered", user_id: user.id, passkey_id: passkey.id }),
    );
  });

  it.each<[string, Tamper]>([
    ["another origin", { origin: "https://chirpy.test.evil.example" }],
    ["another RP id", { rpId: "evil.example" }],
    ["a get ceremony's type", { type: "webauthn.get" }],
    ["a challenge never issued", { challenge: "A".repeat(43) }],
    ["no user presence", { userPresent: false }],
  ])("refuses %s with 400, storing nothing", async (_what, tamper) => {
    const app = appWith({});
    const user = await newUser(app, uniqueEmail("refused"));
    const res = await addPasskey(app, user, new SoftAuthenticator(ORIGIN, "chirpy.test"), tamper);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(errorBody(INVALID_PASSKEY));
    expect(await passkeyRows(user.id)).toBe(0);
  });

  it("refuses a used challenge, an expired one and another user's, storing nothing", async () => {
    const clock = fixedClock(Date.UTC(2048, 0, 1));
    const app = appWith({ clock });
    const [alice, bob] = [await newUser(app, uniqueEmail("alice")), await newUser(app, uniqueEmail("bob"))];
    const authenticator = new SoftAuthenticator(ORIGIN, "chirpy.test");
    const register = async (user: TestUser, options: Awaited<ReturnType<typeof creationOptions>>) =>
      app("/api/passkeys", post({ credential: await authenticator.create(options) }, user.token));

    const used = await creationOptions(app, alice.token);
    expect((await register(alice, used)).status).toBe(201);
    expect((await register(alice, used)).status).toBe(400); // the same challenge again

    const expired = await creationOptions(app, alice.token);
    clock.advance(301);
    expect((await register(alice, expired)).status).toBe(400);

    const bobs = await creationOptions(app, bob.token);
    expect((await register(alice, bobs)).status).toBe(400);
    expect([await passkeyRows(alice.id), await passkeyRows(bob.id)]).toEqual([1, 0]);
  });

  it("two registrations racing with one challenge: one passkey", async () => {
    const app = appWith({});
    const user = await newUser(app, uniqueEmail("race"));
    const options = await creationOptions(app, user.token);
    const authenticator = new SoftAuthenticator(ORIGIN, "chirpy.test");
    const credentials = [await authenticator.create(options), await authenticator.create(options)];
    const answers = await Promise.all(
      credentials.map((credential) => app("/api/passkeys", post({ credential }, user.token))),
    );
    expect(answers.map((res) => res.status).sort()).toEqual([201, 400]);
    expect(await passkeyRows(user.id)).toBe(1);
  });

  it("removes only the caller's own: another user's is 404, and a removed one signs in no more", async () => {
    const app = appWith({});
    const { user, authenticator, passkey } = await userWithPasskey(app);
    const stranger = await newUser(app, uniqueEmail("stranger"));
    const theirs = await app(`/api/passkeys/${passkey.id}`, { method: "DELETE", headers: bearer(stranger.token) });
    expect(theirs.status).toBe(404);
    expect(await theirs.json()).toEqual(errorBody(PASSKEY_NOT_FOUND));
    const ours = await app(`/api/passkeys/${passkey.id}`, { method: "DELETE", headers: bearer(user.token) });
    expect(ours.status).toBe(204);
    expect((await signIn(app, authenticator)).status).toBe(401);
  });

  it("goes with its user: deleting the user deletes its passkeys and challenges", async () => {
    const app = appWith({});
    const { user } = await userWithPasskey(app);
    await creationOptions(app, user.token);
    expect(await rowCount("webauthn_challenges", "user_id = ?", user.id)).toBe(1);
    await env.DB.prepare("delete from users where id = ?").bind(user.id).run();
    expect([await passkeyRows(user.id), await rowCount("webauthn_challenges", "user_id = ?", user.id)]).toEqual([0, 0]);
  });
});

describe("signing in with a passkey", () => {
  it("answers as a login does, with amr hwk, which a refresh keeps (rotation off and on)", async () => {
    for (const rotation of ["off", "on"]) {
      const app = appWith({}, { REFRESH_TOKEN_ROTATION: rotation });
      const { user, authenticator } = await userWithPasskey(app);
      const res = await signIn(app, authenticator);
      expect(res.status).toBe(200);
      const body = await res.json<{ id: string; email: string; token: string; refresh_token: string }>();
      expect(body).toMatchObject({ id: user.id, email: user.email });
      expect(decodeJwt(body.token).claims.amr).toEqual(["hwk"]);
      const refreshed = await refresh(app, body.refresh_token);
      expect(decodeJwt((await refreshed.json<{ token: string }>()).token).claims.amr).toEqual(["hwk"]);
      // A password login of the same user: pwd.
      const login = await app("/api/login", json({ email: user.email, password: PASSWORD }));
      expect(decodeJwt((await login.json<{ token: string }>()).token).claims.amr).toEqual(["pwd"]);
      const listed = await app("/api/passkeys", { headers: bearer(body.token) });
      expect((await listed.json<{ last_used_at: string | null }[]>())[0].last_used_at).not.toBeNull();
    }
  });

  it("offers request options for a discoverable credential", async () => {
    const options = await requestOptions(appWith({}));
    expect(options).toMatchObject({ rpId: "chirpy.test", allowCredentials: [], userVerification: "preferred" });
    expect(options.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it.each<[string, Tamper]>([
    ["a bad signature", { wrongKey: true }],
    ["a signature that is not DER", { signature: new Uint8Array(64).fill(7) }],
    ["a well-formed DER signature of other numbers", { signature: Uint8Array.from([0x30, 6, 2, 1, 1, 2, 1, 1]) }],
    ["another origin", { origin: "https://evil.example" }],
    ["another RP id", { rpId: "evil.example" }],
    ["a challenge never issued", { challenge: "B".repeat(43) }],
    ["a create ceremony's type", { type: "webauthn.create" }],
  ])("refuses %s with the one 401", async (_what, tamper) => {
    const app = appWith({});
    const { authenticator } = await userWithPasskey(app);
    const res = await signIn(app, authenticator, tamper);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(errorBody(PASSKEY_LOGIN_FAILED));
  });

  it("refuses an unknown passkey, a replayed assertion and an expired challenge with the same 401", async () => {
    const clock = fixedClock(Date.UTC(2049, 0, 1));
    const app = appWith({ clock });
    const { authenticator } = await userWithPasskey(app);
    const stranger = new SoftAuthenticator(ORIGIN, "chirpy.test");
    await stranger.create({ challenge: "x", rp: { id: "chirpy.test" }, user: { id: "nobody" } });
    const unknown = await signIn(app, stranger);
    const credential = await authenticator.get(await requestOptions(app));
    const first = await app("/api/login/passkey", json({ credential }));
    const replayed = await app("/api/login/passkey", json({ credential }));
    const late = await authenticator.get(await requestOptions(app));
    clock.advance(301);
    const expired = await app("/api/login/passkey", json({ credential: late }));
    expect([unknown.status, first.status, replayed.status, expired.status]).toEqual([401, 200, 401, 401]);
    for (const res of [unknown, replayed, expired]) expect(await res.json()).toEqual(errorBody(PASSKEY_LOGIN_FAILED));
  });

  it("two sign-ins racing with one assertion: one session", async () => {
    const app = appWith({});
    const { user, authenticator } = await userWithPasskey(app);
    const sessionsBefore = await rowCount("sessions", "user_id = ?", user.id);
    const credential = await authenticator.get(await requestOptions(app));
    const answers = await Promise.all([1, 2, 3].map(() => app("/api/login/passkey", json({ credential }))));
    expect(answers.map((res) => res.status).sort()).toEqual([200, 401, 401]);
    expect(await rowCount("sessions", "user_id = ?", user.id)).toBe(sessionsBefore + 1);
  });

  it("a counter that goes back: 401 and a security event (a cloned authenticator)", async () => {
    const app = appWith({});
    const { user, authenticator, passkey } = await userWithPasskey(app);
    expect((await signIn(app, authenticator)).status).toBe(200); // counter 2
    const res = await signIn(app, authenticator, { signCount: 2 });
    expect(res.status).toBe(401);
    expect(securityEvents()).toContainEqual(
      expect.objectContaining({ event: "passkey.counter_regressed", user_id: user.id, passkey_id: passkey.id }),
    );
  });

  it("accepts authenticators that do not count (always 0)", async () => {
    const app = appWith({});
    const { authenticator } = await userWithPasskey(app, new SoftAuthenticator(ORIGIN, "chirpy.test", false));
    expect((await signIn(app, authenticator)).status).toBe(200);
    expect((await signIn(app, authenticator)).status).toBe(200);
  });

  it("honours cookie mode exactly as a login does: the refresh token only as the HttpOnly cookie", async () => {
    const app = appWith({});
    const { authenticator } = await userWithPasskey(app);
    const res = await signIn(app, authenticator, {}, { "X-Chirpy-Session": "cookie", Origin: ORIGIN });
    expect(res.status).toBe(200);
    expect(await res.json()).not.toHaveProperty("refresh_token");
    expect(res.headers.getAll("Set-Cookie").some((line) => line.startsWith("__Host-chirpy_refresh="))).toBe(true);
  });

  it("spends the network's login budgets: past LOGIN_MAX_ATTEMPTS_PER_IP, 429", async () => {
    const app = appWith({}, { LOGIN_MAX_ATTEMPTS_PER_IP: "2" });
    const { authenticator } = await userWithPasskey(app);
    const from = { "CF-Connecting-IP": "203.0.113.77" };
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const credential = await authenticator.get(await requestOptions(app));
      statuses.push((await app("/api/login/passkey", json({ credential }, from))).status);
    }
    expect(statuses).toEqual([200, 200, 429]);
  });
});

describe("passkeys and the password", () => {
  it("a reset by mail keeps the passkeys, and its mail names them; a password change's mail too", async () => {
    const app = appWith({});
    const { user, authenticator } = await userWithPasskey(app);
    await app("/api/password-resets", json({ email: user.email }));
    const token = await tokenFrom(user.email, /Reset/);
    expect((await app("/api/password-resets/confirm", json({ token, password: "a brand new password" }))).status).toBe(
      204,
    );
    const [notice] = await mailbox(user.email);
    expect(notice.subject).toBe("Your Chirpy password was changed");
    expect(notice.text).toContain("Laptop");
    const signedIn = await signIn(app, authenticator);
    expect(signedIn.status).toBe(200);
    const { token: access } = await signedIn.json<{ token: string }>();
    const changed = await app("/api/users", {
      ...json({ email: user.email, password: "yet another password" }, bearer(access)),
      method: "PUT",
    });
    expect(changed.status).toBe(200);
    const [again] = await mailbox(user.email);
    expect(again.subject).toBe("Your Chirpy password was changed");
    expect(again.text).toContain("Laptop");
    expect((await signIn(app, authenticator)).status).toBe(200);
  });
});
