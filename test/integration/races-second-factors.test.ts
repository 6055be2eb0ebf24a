// Races between a passkey or second-step check and the session it opens. Each test holds the
// sign-in's session write at a gate (test/d1.ts) while another request changes what was checked,
// then releases it: the session must not land on a stale check.

import { describe, expect, it } from "vitest";
import { stepAt, totpCode } from "../../src/crypto/totp";
import { errorBody, MFA_FAILED, PASSKEY_LOGIN_FAILED } from "../../src/errors";
import { SoftAuthenticator } from "../authenticator";
import { requestHeldAt } from "../d1";
import {
  api,
  base32Bytes,
  bearer,
  json,
  newUser,
  PASSWORD,
  put,
  rowCount,
  type TestUser,
  uniqueEmail,
} from "../helpers";

const sessionsOf = (userId: string) => rowCount("sessions", "user_id = ?", userId);

async function withPasskey() {
  const user = await newUser(api, uniqueEmail("race-passkey"));
  const authenticator = new SoftAuthenticator("http://chirpy.test", "chirpy.test");
  const options = await (
    await api("/api/passkeys/registration-options", { method: "POST", headers: bearer(user.token) })
  ).json<{
    challenge: string;
    rp: { id: string };
    user: { id: string };
  }>();
  const added = await api(
    "/api/passkeys",
    json({ credential: await authenticator.create(options) }, bearer(user.token)),
  );
  const passkey = await added.json<{ id: string }>();
  const request = await (await api("/api/passkeys/authentication-options", { method: "POST" })).json<{
    challenge: string;
  }>();
  return { user, passkey, credential: await authenticator.get(request) };
}

async function withTotp(): Promise<{ user: TestUser; secret: Uint8Array; step: number }> {
  const user = await newUser(api, uniqueEmail("race-totp"));
  const started = await (await api("/api/mfa/totp", json({ password: PASSWORD }, bearer(user.token)))).json<{
    secret: string;
  }>();
  const secret = base32Bytes(started.secret);
  const step = stepAt(Date.now());
  await api("/api/mfa/totp/confirm", json({ code: await totpCode(secret, step) }, bearer(user.token)));
  return { user, secret, step };
}

const mfaToken = async (user: TestUser, password = PASSWORD) =>
  (await (await api("/api/login", json({ email: user.email, password }))).json<{ mfa_token: string }>()).mfa_token;

describe("a passkey sign-in racing the passkey's removal", () => {
  it("opens no session when the passkey is removed between the signature check and the session write", async () => {
    const { user, passkey, credential } = await withPasskey();
    const before = await sessionsOf(user.id);
    const signIn = await requestHeldAt(/^insert into "sessions"/, "/api/login/passkey", json({ credential }));
    const removed = await api(`/api/passkeys/${passkey.id}`, { method: "DELETE", headers: bearer(user.token) });
    expect(removed.status).toBe(204);
    const res = await signIn.release();
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(errorBody(PASSKEY_LOGIN_FAILED));
    expect(await sessionsOf(user.id)).toBe(before);
  });

  it("succeeds when nothing changes while it waits (the gate alone changes nothing)", async () => {
    const { user, credential } = await withPasskey();
    const signIn = await requestHeldAt(/^insert into "sessions"/, "/api/login/passkey", json({ credential }));
    const res = await signIn.release();
    expect(res.status).toBe(200);
    expect((await res.json<{ id: string }>()).id).toBe(user.id);
  });
});

describe("a second step racing a password change, and the same code", () => {
  it("opens no session when the password changes between the code check and the session write", async () => {
    const { user, secret, step } = await withTotp();
    const token = await mfaToken(user);
    const before = await sessionsOf(user.id);
    const second = await requestHeldAt(
      /^insert into "sessions"/,
      "/api/login/mfa",
      json({ mfa_token: token, code: await totpCode(secret, step + 1) }),
    );
    const change = await api("/api/users", put({ email: user.email, password: "changed meanwhile" }, user.token));
    expect(change.status).toBe(200);
    const res = await second.release();
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(errorBody(MFA_FAILED));
    expect(await sessionsOf(user.id)).toBe(before);
  });

  it("opens no session when another request spends the same code while it waits", async () => {
    const { user, secret, step } = await withTotp();
    const code = await totpCode(secret, step + 1);
    const [held, other] = [await mfaToken(user), await mfaToken(user)];
    const second = await requestHeldAt(/^insert into "sessions"/, "/api/login/mfa", json({ mfa_token: held, code }));
    const first = await api("/api/login/mfa", json({ mfa_token: other, code }));
    expect(first.status).toBe(200);
    const res = await second.release();
    expect(res.status).toBe(401);
  });
});
