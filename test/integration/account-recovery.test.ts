// Threat model: password reset and email verification done carelessly. Each rule is attacked:
// an enumeration oracle (status, body, headers, timing, database work before the answer), a token
// reused, expired, replaced or raced, a reset that leaves sessions alive, a token readable at
// rest, budgets that let a stranger flood someone's inbox, a login lock that outlives the reset.
// Mail is read as it was handed to the send_email binding (a recording wrapper around the real
// binding) and through the dev mailbox.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { backgroundSettled } from "../../src/background";
import { sha256Hex } from "../../src/crypto/bytes";
import {
  EMAIL_NOT_VERIFIED,
  errorBody,
  INVALID_RESET_TOKEN,
  INVALID_VERIFICATION_TOKEN,
  invalidField,
  NOT_FOUND,
  TOO_MANY_VERIFICATION_MAILS,
} from "../../src/errors";
import type { MailBinding } from "../../src/mail/mailer";
import { requestHeldAt, roundTripRecorder, type Trip } from "../d1";
import {
  api,
  appWith,
  bearer,
  type Fetcher,
  fixedClock,
  json,
  LINK_TOKEN,
  mailbox,
  newUser,
  PASSWORD,
  put,
  refresh,
  rowCount,
  tokenFrom,
  uniqueEmail,
} from "../helpers";
import { securityEvents } from "../log-guard";

const NEW_PASSWORD = "a brand new passphrase";

const askReset = (app: Fetcher, email: string, headers: Record<string, string> = {}) =>
  app("/api/password-resets", json({ email }, headers));
const confirmReset = (app: Fetcher, token: string, password = NEW_PASSWORD) =>
  app("/api/password-resets/confirm", json({ token, password }));
const login = (app: Fetcher, email: string, password: string, headers: Record<string, string> = {}) =>
  app("/api/login", json({ email, password }, headers));

/** The real binding, with every message handed to it recorded. */
function recordingBinding(sent: Parameters<MailBinding["send"]>[0][]): MailBinding {
  const real = env.EMAIL as unknown as MailBinding;
  return {
    send(message) {
      sent.push(message);
      return real.send(message);
    },
  };
}

describe("POST /api/password-resets: no oracle", () => {
  it("known and unknown addresses get the same status, body and headers; only the known one gets mail", async () => {
    const user = await newUser(api);
    const unknown = uniqueEmail("nobody");
    const [known, stranger] = [await askReset(api, user.email), await askReset(api, unknown)];
    for (const res of [known, stranger]) {
      expect(res.status).toBe(202);
      expect(res.headers.get("Cache-Control")).toBe("no-store");
    }
    const [knownBody, strangerBody] = [await known.text(), await stranger.text()];
    expect(knownBody).toBe(strangerBody);
    expect(strangerBody).toBe("{}");
    const headers = (res: Response) => [...res.headers].filter(([name]) => name !== "date");
    expect(headers(known)).toEqual(headers(stranger));
    expect(await mailbox(unknown)).toEqual([]);
    expect(await mailbox(user.email)).toHaveLength(2); // the sign-up's verification, then the reset
  });

  it("makes no database trip before answering, known address or not (the work runs after the answer)", async () => {
    const user = await newUser(api);
    for (const email of [user.email, uniqueEmail("nobody")]) {
      const trips: Trip[] = [];
      const app = appWith({}, { DB: roundTripRecorder(trips) });
      const res = await askReset(app, email);
      expect(res.status).toBe(202);
      expect(trips).toEqual([]); // nothing reached D1 by the time the answer was made
      await backgroundSettled();
      expect(trips.length).toBeGreaterThan(0); // and then the lookup (and for the known one the token) ran
    }
  });

  it("answers known and unknown addresses in indistinguishable time (rank comparison, no threshold on time)", async () => {
    const user = await newUser(api);
    const known: number[] = [];
    const unknown: number[] = [];
    const timed = async (email: string) => {
      const started = performance.now();
      await askReset(api, email);
      return performance.now() - started;
    };
    for (let i = 0; i < 30; i++) {
      known.push(await timed(user.email));
      unknown.push(await timed(uniqueEmail("nobody")));
    }
    await backgroundSettled();
    // P(a known request took longer than an unknown one), ties counting half: 0.5 when the two
    // distributions are the same. A request that did more work for known addresses (D1, hashing)
    // would push it towards 1. Bounds at ±5 standard errors of this statistic for 30 + 30 samples.
    let wins = 0;
    for (const k of known) for (const u of unknown) wins += k > u ? 1 : k === u ? 0.5 : 0;
    const share = wins / (known.length * unknown.length);
    expect(share).toBeGreaterThan(0.12);
    expect(share).toBeLessThan(0.88);
  });

  it("validates the body like every endpoint (400, nothing sent)", async () => {
    const res = await api("/api/password-resets", json({ email: "not-an-address" }));
    expect(res.status).toBe(400);
    expect((await api("/api/password-resets", json({}))).status).toBe(400);
  });
});

describe("the reset mail and its token", () => {
  it("is handed to the binding from EMAIL_FROM with a link to APP_URL (token in the fragment) and the token itself", async () => {
    const sent: Parameters<MailBinding["send"]>[0][] = [];
    const app = appWith({}, { EMAIL: recordingBinding(sent), APP_URL: "https://app.example.com/" });
    const user = await newUser(app);
    await askReset(app, user.email);
    await backgroundSettled();
    const reset = sent.find((m) => m.to === user.email && /Reset/.test(m.subject));
    expect(reset?.from).toBe("no-reply@example.com");
    const token = reset && LINK_TOKEN.exec(reset.text)?.[1];
    expect(reset?.text).toContain(`https://app.example.com/reset-password#token=${token}`);
    expect(reset?.text).toContain(`"token": "${token}"`);
    expect(reset?.html).toContain(`href="https://app.example.com/reset-password#token=${token}"`);
  });

  it("links to APP_URL whatever Host the request names", async () => {
    const user = await newUser(api);
    await askReset((path, init) => api(`http://attacker.example${path}`, init), user.email);
    const [mail] = await mailbox(user.email);
    expect(mail.text).toContain("http://chirpy.test/app/reset-password#token=");
    expect(mail.text).not.toContain("attacker.example");
  });

  it("without APP_URL in development: the API's own web app on a loopback host, no link for any other Host", async () => {
    const app = appWith({}, { APP_URL: "" });
    const user = await newUser(app);
    const before = securityEvents().length;
    await askReset((path, init) => app(`http://attacker.example${path}`, init), user.email);
    await backgroundSettled();
    expect((await mailbox(user.email)).filter((m) => /Reset/.test(m.subject))).toEqual([]);
    expect(securityEvents().slice(before)).toContainEqual({
      event: "mail.link_unavailable",
      kind: "password_reset",
      reason: "host_not_loopback",
      level: "security",
    });
    await askReset((path, init) => app(`http://localhost:8787${path}`, init), user.email);
    const reset = (await mailbox(user.email)).find((m) => /Reset/.test(m.subject));
    expect(reset?.text).toContain("http://localhost:8787/app/reset-password#token=");
  });

  it("without APP_URL in production: no mail with a link at all, and the misconfiguration logged once", async () => {
    const sent: Parameters<MailBinding["send"]>[0][] = [];
    const app = appWith({}, { APP_URL: "", PLATFORM: "production", EMAIL: recordingBinding(sent) });
    const users = [await newUser(app), await newUser(app)];
    for (const user of users) await askReset((path, init) => app(`http://localhost${path}`, init), user.email);
    await backgroundSettled();
    expect(sent.filter((m) => /Reset|Confirm/.test(m.subject))).toEqual([]);
    const logged = securityEvents().filter((e) => e.event === "mail.link_unavailable" && e.reason === "app_url_unset");
    expect(logged).toHaveLength(1);
  });

  it("is stored only as its SHA-256: no column of the row holds the token", async () => {
    const user = await newUser(api);
    await askReset(api, user.email);
    const token = await tokenFrom(user.email, /Reset/);
    const rows = await env.DB.prepare("select * from account_tokens where user_id = ? and purpose = 'password_reset'")
      .bind(user.id)
      .all<Record<string, unknown>>();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0].token_hash).toBe(await sha256Hex(token));
    expect(JSON.stringify(rows.results)).not.toContain(token);
  });
});

describe("POST /api/password-resets/confirm", () => {
  it("sets the new password and ends every session: bearer and cookie refresh tokens and access tokens stop at once", async () => {
    const user = await newUser(api);
    const cookieLogin = await login(api, user.email, PASSWORD, {
      "X-Chirpy-Session": "cookie",
      Origin: "http://chirpy.test",
    });
    const cookie = (cookieLogin.headers.get("Set-Cookie") ?? "").split(";")[0];
    await askReset(api, user.email);
    const res = await confirmReset(api, await tokenFrom(user.email, /Reset/));
    expect(res.status).toBe(204);

    expect((await refresh(api, user.refreshToken)).status).toBe(401);
    const cookieRefresh = await api("/api/refresh", {
      method: "POST",
      headers: { Cookie: cookie, "X-Chirpy-Session": "cookie", Origin: "http://chirpy.test" },
    });
    expect(cookieRefresh.status).toBe(401);
    expect((await api("/api/chirps", json({ body: "still here?" }, bearer(user.token)))).status).toBe(401);
    expect(await rowCount("sessions", "user_id = ? and revoked_at is null", user.id)).toBe(0);
    expect((await login(api, user.email, PASSWORD)).status).toBe(401);
    const fresh = await login(api, user.email, NEW_PASSWORD);
    expect(fresh.status).toBe(200);
    // The link reached the address: it is verified now.
    expect(await fresh.json()).toMatchObject({ email_verified: true });
    expect(securityEvents()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ event: "password_reset.completed", user_id: user.id }),
        expect.objectContaining({ event: "session.ended", user_id: user.id, by: "password_reset", count: 2 }),
      ]),
    );
  });

  it("works once: the same token again is a 400 that changes nothing", async () => {
    const user = await newUser(api);
    await askReset(api, user.email);
    const token = await tokenFrom(user.email, /Reset/);
    expect((await confirmReset(api, token)).status).toBe(204);
    const again = await confirmReset(api, token, "yet another password");
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual(errorBody(INVALID_RESET_TOKEN));
    expect((await login(api, user.email, NEW_PASSWORD)).status).toBe(200);
  });

  it("expires after PASSWORD_RESET_TTL_SECONDS", async () => {
    const clock = fixedClock();
    const app = appWith({ clock });
    const user = await newUser(app);
    await askReset(app, user.email);
    const token = await tokenFrom(user.email, /Reset/);
    clock.advance(1801);
    expect((await confirmReset(app, token)).status).toBe(400);
    expect((await login(app, user.email, PASSWORD)).status).toBe(200);
  });

  it("asking again replaces the older token", async () => {
    const user = await newUser(api);
    await askReset(api, user.email);
    const first = await tokenFrom(user.email, /Reset/);
    await askReset(api, user.email);
    const second = await tokenFrom(user.email, /Reset/);
    expect(second).not.toBe(first);
    expect((await confirmReset(api, first)).status).toBe(400);
    expect((await confirmReset(api, second)).status).toBe(204);
  });

  it("a wrong or malformed token is a 400 naming the problem, and changes nothing", async () => {
    const user = await newUser(api);
    const unknown = await confirmReset(api, "f".repeat(64));
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual(errorBody(INVALID_RESET_TOKEN));
    const malformed = await confirmReset(api, "not-a-token");
    expect(await malformed.json()).toEqual(errorBody(invalidField.notToken("token")));
    expect((await login(api, user.email, PASSWORD)).status).toBe(200);
  });

  it("a token resets only its own user's password", async () => {
    const [a, b] = [await newUser(api), await newUser(api)];
    await askReset(api, a.email);
    expect((await confirmReset(api, await tokenFrom(a.email, /Reset/))).status).toBe(204);
    expect((await login(api, b.email, PASSWORD)).status).toBe(200);
    expect((await refresh(api, b.refreshToken)).status).toBe(200);
  });

  it("two concurrent confirms with one token: exactly one 204", async () => {
    const user = await newUser(api);
    await askReset(api, user.email);
    const token = await tokenFrom(user.email, /Reset/);
    const results = await Promise.all([
      confirmReset(api, token, "password one"),
      confirmReset(api, token, "password two"),
    ]);
    expect(results.map((res) => res.status).sort()).toEqual([204, 400]);
    const winner = results[0].status === 204 ? "password one" : "password two";
    expect((await login(api, user.email, winner)).status).toBe(200);
  });

  it("a confirm held at its batch while another confirm of the same token lands: the held one changes nothing", async () => {
    const user = await newUser(api);
    await askReset(api, user.email);
    const token = await tokenFrom(user.email, /Reset/);
    const held = await requestHeldAt(
      /delete from "account_tokens"/,
      "/api/password-resets/confirm",
      json({ token, password: "the held password" }),
    );
    expect((await confirmReset(api, token, "the first password")).status).toBe(204);
    const late = await held.release();
    expect(late.status).toBe(400);
    expect((await login(api, user.email, "the first password")).status).toBe(200);
    expect((await login(api, user.email, "the held password")).status).toBe(401);
  });

  it("clears the address's login lock: the network a guesser locked can log in with the new password", async () => {
    const user = await newUser(api);
    const guesser = { "CF-Connecting-IP": "198.51.100.7" };
    for (let i = 0; i < 5; i++) await login(api, user.email, "wrong guess", guesser);
    expect((await login(api, user.email, PASSWORD, guesser)).status).toBe(429);
    await askReset(api, user.email);
    expect((await confirmReset(api, await tokenFrom(user.email, /Reset/))).status).toBe(204);
    expect((await login(api, user.email, NEW_PASSWORD, guesser)).status).toBe(200);
  });
});

describe("reset budgets", () => {
  it("past PASSWORD_RESET_MAX_PER_EMAIL the answer is the same 202 and nothing more is sent", async () => {
    const user = await newUser(api);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await askReset(api, user.email));
    expect(answers.map((res) => res.status)).toEqual([202, 202, 202, 202, 202]);
    const resets = (await mailbox(user.email)).filter((m) => /Reset/.test(m.subject));
    expect(resets).toHaveLength(3);
    expect(securityEvents()).toEqual(
      expect.arrayContaining([expect.objectContaining({ event: "password_reset.rate_limited", limit: "email" })]),
    );
  });

  it("past PASSWORD_RESET_MAX_PER_IP one network gets no more mail, whoever it names", async () => {
    const app = appWith({}, { PASSWORD_RESET_MAX_PER_IP: "2" });
    const network = { "CF-Connecting-IP": "203.0.113.40" };
    const users = [await newUser(app), await newUser(app), await newUser(app)];
    for (const user of users) expect((await askReset(app, user.email, network)).status).toBe(202);
    const sent = await Promise.all(
      users.map(async (user) => (await mailbox(user.email)).filter((m) => /Reset/.test(m.subject)).length),
    );
    expect(sent).toEqual([1, 1, 0]);
  });
});

describe("email verification", () => {
  it("sign-up mails a link; the user is unverified until the token is confirmed, then verified", async () => {
    const email = uniqueEmail("verify");
    const created = await api("/api/users", json({ email, password: PASSWORD }));
    expect(await created.json()).toMatchObject({ email_verified: false });
    const mail = (await mailbox(email)).find((m) => /Confirm/.test(m.subject));
    expect(mail?.text).toContain("http://chirpy.test/app/verify-email#token=");
    const token = LINK_TOKEN.exec(mail?.text ?? "")?.[1] as string;
    const res = await api("/api/email-verifications/confirm", json({ token }));
    expect(res.status).toBe(204);
    expect(await (await login(api, email, PASSWORD)).json()).toMatchObject({ email_verified: true });
    // Single use.
    const again = await api("/api/email-verifications/confirm", json({ token }));
    expect(await again.json()).toEqual(errorBody(INVALID_VERIFICATION_TOKEN));
  });

  it("POST /api/email-verifications sends a new link within a budget (429 past it), none once verified", async () => {
    const app = appWith({}, { EMAIL_VERIFICATION_MAX_PER_USER: "2" });
    const user = await newUser(app);
    expect((await app("/api/email-verifications", { method: "POST", headers: bearer(user.token) })).status).toBe(202);
    expect((await app("/api/email-verifications", { method: "POST", headers: bearer(user.token) })).status).toBe(202);
    const over = await app("/api/email-verifications", { method: "POST", headers: bearer(user.token) });
    expect(over.status).toBe(429);
    expect(over.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(await over.json()).toEqual(errorBody(TOO_MANY_VERIFICATION_MAILS));
    expect((await mailbox(user.email)).filter((m) => /Confirm/.test(m.subject))).toHaveLength(3);
    expect((await app("/api/email-verifications", { method: "POST" })).status).toBe(401);
  });

  it("a verification token from another user verifies that user only", async () => {
    const [a, b] = [await newUser(api), await newUser(api)];
    const token = await tokenFrom(a.email, /Confirm/);
    expect((await api("/api/email-verifications/confirm", json({ token }))).status).toBe(204);
    expect(await (await login(api, b.email, PASSWORD)).json()).toMatchObject({ email_verified: false });
  });

  it("an email change: the new address is unverified and gets a link, the old one a notice; an old link no longer verifies", async () => {
    const user = await newUser(api);
    const oldToken = await tokenFrom(user.email, /Confirm/);
    const newEmail = uniqueEmail("moved");
    const res = await api("/api/users", put({ email: newEmail, password: PASSWORD }, user.token));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ email: newEmail, email_verified: false });
    expect((await mailbox(user.email)).map((m) => m.subject)).toContain(
      "The email address of your Chirpy account was changed",
    );
    expect((await api("/api/email-verifications/confirm", json({ token: oldToken }))).status).toBe(400);
    const newToken = await tokenFrom(newEmail, /Confirm/);
    expect((await api("/api/email-verifications/confirm", json({ token: newToken }))).status).toBe(204);
  });

  it("a verified address that changes becomes unverified", async () => {
    const user = await newUser(api);
    await api("/api/email-verifications/confirm", json({ token: await tokenFrom(user.email, /Confirm/) }));
    const res = await api("/api/users", put({ email: uniqueEmail("again"), password: PASSWORD }, user.token));
    expect(await res.json()).toMatchObject({ email_verified: false });
  });

  it("a password change sends a notice", async () => {
    const user = await newUser(api);
    await api("/api/users", put({ email: user.email, password: NEW_PASSWORD }, user.token));
    expect((await mailbox(user.email)).map((m) => m.subject)).toContain("Your Chirpy password was changed");
  });
});

describe("REQUIRE_VERIFIED_EMAIL=on", () => {
  it("refuses login with an unverified address (403) only to whoever knows the password; verified → 200", async () => {
    const app = appWith({}, { REQUIRE_VERIFIED_EMAIL: "on" });
    const email = uniqueEmail("strict");
    await app("/api/users", json({ email, password: PASSWORD }));
    const wrong = await login(app, email, "wrong password");
    expect(wrong.status).toBe(401);
    for (let i = 0; i < 6; i++) {
      const refused = await login(app, email, PASSWORD);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual(errorBody(EMAIL_NOT_VERIFIED));
    }
    const { id } = (await (await api("/api/login", json({ email, password: PASSWORD }))).json()) as { id: string };
    expect(await rowCount("sessions", "user_id = ?", id)).toBe(1); // only the login without the rule
    await app("/api/email-verifications/confirm", json({ token: await tokenFrom(email, /Confirm/) }));
    expect((await login(app, email, PASSWORD)).status).toBe(200);
  });
});

describe("GET /admin/mailbox", () => {
  it("does not exist in production (404), refuses other hosts (403) and needs an address (400)", async () => {
    const production = appWith({}, { PLATFORM: "production" });
    const res = await production("http://localhost:8787/admin/mailbox?to=a%40example.com");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(errorBody(NOT_FOUND));
    expect((await api("/admin/mailbox?to=a%40example.com")).status).toBe(403);
    expect((await api("http://localhost:8787/admin/mailbox")).status).toBe(400);
  });
});

describe("sending never changes an answer", () => {
  it("a binding that keeps failing: 202 all the same, three attempts, then one mail.send_failed event", async () => {
    let attempts = 0;
    const failing: MailBinding = {
      send: async () => {
        attempts++;
        throw new Error("Email Service unavailable");
      },
    };
    const app = appWith({}, { EMAIL: failing });
    const user = await newUser(app);
    await backgroundSettled(); // the sign-up's verification mail failed as well
    attempts = 0;
    expect((await askReset(app, user.email)).status).toBe(202);
    await backgroundSettled();
    expect(attempts).toBe(3);
    expect(securityEvents()).toEqual(
      expect.arrayContaining([
        { event: "mail.send_failed", kind: "password_reset", attempts: 3, error: "Error", level: "security" },
      ]),
    );
  });
});
