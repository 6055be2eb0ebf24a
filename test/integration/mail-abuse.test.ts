// Mail and account changes that strangers cannot turn against a user (each attack first):
// - a reset or verification link outlives an email or password change;
// - a victim's inbox flooded through an account switching its address to theirs and back;
// - "202 before any lookup" observable afterwards (the database's bookmark, its round trips);
// - known networks (exempt from the account lock) surviving a password reset or change.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { backgroundSettled } from "../../src/background";
import { errorBody, INVALID_RESET_TOKEN, INVALID_VERIFICATION_TOKEN } from "../../src/errors";
import { roundTripRecorder, type Trip } from "../d1";
import {
  appWith,
  type Fetcher,
  json,
  LINK_TOKEN,
  mailbox,
  newUser,
  PASSWORD,
  put,
  rowCount,
  tokenFrom,
  uniqueEmail,
} from "../helpers";
import { securityEvents } from "../log-guard";

const askReset = (app: Fetcher, email: string) => app("/api/password-resets", json({ email }));
const confirmReset = (app: Fetcher, token: string, password = "a brand new password") =>
  app("/api/password-resets/confirm", json({ token, password }));
const login = (app: Fetcher, email: string, password: string, ip = "192.0.2.77") =>
  app("/api/login", json({ email, password }, { "CF-Connecting-IP": ip }));

// Raised so that these tests measure the mail rules, not the credential-change budgets.
const ROOMY = { PASSWORD_CHANGE_MAX_PER_USER: "1000", SIGNUP_MAX_PER_IP: "1000", SIGNUP_MAX_GLOBAL: "1000" };

describe("mail tokens are bound to the address and the password they were issued under", () => {
  it("a reset link mailed to the old address stops working when the owner changes the email", async () => {
    const app = appWith({}, ROOMY);
    const user = await newUser(app);
    expect((await askReset(app, user.email)).status).toBe(202);
    const token = await tokenFrom(user.email, /Reset/);
    const moved = uniqueEmail("moved");
    expect((await app("/api/users", put({ email: moved, password: PASSWORD }, user.token))).status).toBe(200);

    const res = await confirmReset(app, token);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(errorBody(INVALID_RESET_TOKEN));
    // Nothing changed: the password is the owner's, the owner's session lives.
    expect((await login(app, moved, PASSWORD)).status).toBe(200);
    expect(await rowCount("sessions", "user_id = ? and revoked_at is null", user.id)).toBe(2);
  });

  it("a reset link stops working when the owner changes the password", async () => {
    const app = appWith({}, ROOMY);
    const user = await newUser(app);
    await askReset(app, user.email);
    const token = await tokenFrom(user.email, /Reset/);
    await app("/api/users", put({ email: user.email, password: "changed by the owner" }, user.token));
    expect((await confirmReset(app, token)).status).toBe(400);
    expect((await login(app, user.email, "changed by the owner")).status).toBe(200);
  });

  it("a verification link stops working after a password reset, and after an email change", async () => {
    const app = appWith({}, ROOMY);
    const user = await newUser(app); // the sign-up mailed a verification link
    const verification = await tokenFrom(user.email, /Confirm/);
    await askReset(app, user.email);
    expect((await confirmReset(app, await tokenFrom(user.email, /Reset/))).status).toBe(204);
    const res = await app("/api/email-verifications/confirm", json({ token: verification }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(errorBody(INVALID_VERIFICATION_TOKEN));

    const other = await newUser(app);
    const first = await tokenFrom(other.email, /Confirm/);
    await app("/api/users", put({ email: uniqueEmail("renamed"), password: PASSWORD }, other.token));
    expect((await app("/api/email-verifications/confirm", json({ token: first }))).status).toBe(400);
  });

  it("a reset whose address changed in the meantime is refused inside its own batch too", async () => {
    // The address changes between the token's lookup and the reset's batch: the batch's own
    // condition (the account's address is the one the token was sent to) refuses it.
    const app = appWith({}, ROOMY);
    const user = await newUser(app);
    await askReset(app, user.email);
    const token = await tokenFrom(user.email, /Reset/);
    await env.DB.prepare("update users set email = ? where id = ?").bind(uniqueEmail("sideways"), user.id).run();
    expect((await confirmReset(app, token)).status).toBe(400);
    expect((await login(app, user.email, PASSWORD)).status).toBe(401);
  });
});

describe("known networks do not survive a new password", () => {
  it("a password reset forgets them", async () => {
    const app = appWith({}, ROOMY);
    const user = await newUser(app);
    expect((await login(app, user.email, PASSWORD, "198.51.100.9")).status).toBe(200);
    expect(await rowCount("known_networks", "user_id = ?", user.id)).toBe(1);
    await askReset(app, user.email);
    expect((await confirmReset(app, await tokenFrom(user.email, /Reset/))).status).toBe(204);
    expect(await rowCount("known_networks", "user_id = ?", user.id)).toBe(0);
  });

  it("a password change forgets them; an email-only change keeps them", async () => {
    const app = appWith({}, ROOMY);
    const user = await newUser(app);
    const { token } = await (await login(app, user.email, PASSWORD, "198.51.100.10")).json<{ token: string }>();
    const renamed = uniqueEmail("kept");
    expect((await app("/api/users", put({ email: renamed, password: PASSWORD }, token))).status).toBe(200);
    expect(await rowCount("known_networks", "user_id = ?", user.id)).toBe(1);
    expect((await app("/api/users", put({ email: renamed, password: "another password" }, token))).status).toBe(200);
    expect(await rowCount("known_networks", "user_id = ?", user.id)).toBe(0);
  });
});

describe("a budget per recipient (MAIL_MAX_PER_RECIPIENT per MAIL_WINDOW_SECONDS)", () => {
  it("an account switching its address to a victim's and back sends the victim at most 5 mails", async () => {
    const app = appWith({}, ROOMY);
    const victim = uniqueEmail("victim");
    const attackers = [await newUser(app), await newUser(app), await newUser(app)];
    const eventsBefore = securityEvents().length;
    for (let round = 0; round < 5; round++) {
      for (const attacker of attackers) {
        // To the victim's address (a verification mail to the victim), then back (a notice to it).
        const there = await app("/api/users", put({ email: victim, password: PASSWORD }, attacker.token));
        const back = await app("/api/users", put({ email: attacker.email, password: PASSWORD }, attacker.token));
        // The answers do not change: the budget is about mail, not about the account.
        expect([200, 409]).toContain(there.status);
        expect(back.status).toBe(200);
      }
    }
    await backgroundSettled();
    expect((await mailbox(victim)).length).toBe(5);
    const limited = securityEvents()
      .slice(eventsBefore)
      .filter((e) => e.event === "mail.recipient_rate_limited");
    expect(limited.length).toBeGreaterThan(0);
    // A reset naming the victim's address is counted against the same budget.
    await askReset(app, victim);
    await backgroundSettled();
    expect((await mailbox(victim)).length).toBe(5);
  });

  it("is a setting, and another address is not affected", async () => {
    const app = appWith({}, { ...ROOMY, MAIL_MAX_PER_RECIPIENT: "1" });
    const user = await newUser(app); // one mail: the verification
    await askReset(app, user.email); // a second: not sent
    await backgroundSettled();
    expect((await mailbox(user.email)).map((m) => m.subject)).toEqual([expect.stringMatching(/Confirm/)]);
    const other = await newUser(app);
    expect((await mailbox(other.email)).length).toBe(1);
  });
});

describe("a reset request: nothing observable after the 202", () => {
  /** The D1 round trips and the bookmark's movement caused by one reset request's background work. */
  async function traceOfReset(email: string) {
    const trips: Trip[] = [];
    const app = appWith({}, { DB: roundTripRecorder(trips), PASSWORD_RESET_MAX_PER_IP: "1000" });
    const probe = env.DB.withSession("first-primary");
    await probe.prepare("select 1").run();
    const before = probe.getBookmark() as string;
    const res = await app("/api/password-resets", json({ email }, { "CF-Connecting-IP": "192.0.2.150" }));
    expect(res.status).toBe(202);
    await backgroundSettled();
    const after = env.DB.withSession("first-primary");
    await after.prepare("select 1").run();
    return { trips, before, after: after.getBookmark() as string };
  }

  it("a registered and an unknown address cost the database the same statements and commits", async () => {
    const user = await newUser();
    const known = await traceOfReset(user.email);
    const unknown = await traceOfReset(uniqueEmail("nobody"));
    expect(known.trips.map((t) => t.statements)).toEqual(unknown.trips.map((t) => t.statements));
    expect(known.trips.length).toBe(1);
    // The bookmark (which the next response carries as x-d1-bookmark) moves by the same amount.
    const step = (t: { before: string; after: string }) =>
      Number.parseInt(t.after.split("-")[1], 16) - Number.parseInt(t.before.split("-")[1], 16);
    expect(step(known)).toBe(step(unknown));
    expect((await mailbox(user.email)).some((m) => /Reset/.test(m.subject))).toBe(true);
  });
});

describe("with REQUIRE_VERIFIED_EMAIL on, a new address waits for its owner", () => {
  const STRICT = { ...ROOMY, REQUIRE_VERIFIED_EMAIL: "on" };

  /** A verified user (the sign-up's link followed) logged in under REQUIRE_VERIFIED_EMAIL. */
  async function verifiedUser(app: Fetcher) {
    const email = uniqueEmail("strict");
    expect((await app("/api/users", json({ email, password: PASSWORD }))).status).toBe(201);
    const verified = await app("/api/email-verifications/confirm", json({ token: await tokenFrom(email, /Confirm/) }));
    expect(verified.status).toBe(204);
    const res = await login(app, email, PASSWORD);
    expect(res.status).toBe(200);
    return { email, token: (await res.json<{ token: string }>()).token };
  }

  it("the account stays on the verified address until the new one confirms; then it moves", async () => {
    const app = appWith({}, STRICT);
    const user = await verifiedUser(app);
    const target = uniqueEmail("target");
    const res = await app("/api/users", put({ email: target, password: PASSWORD }, user.token));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ email: user.email, email_verified: true, pending_email: target });
    // Login and sessions stay on the verified address; the new one does not log in yet.
    expect((await login(app, target, PASSWORD)).status).toBe(401);
    expect((await login(app, user.email, PASSWORD)).status).toBe(200);
    // The owner of the new address may still sign up with it: a pending change claims nothing.
    // (Here the new address's owner is the same person: they follow the link instead.)
    const confirm = await app("/api/email-verifications/confirm", json({ token: await tokenFrom(target, /Confirm/) }));
    expect(confirm.status).toBe(204);
    const after = await login(app, target, PASSWORD);
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ email: target, email_verified: true, pending_email: null });
    expect((await login(app, user.email, PASSWORD)).status).toBe(401);
  });

  it("an account cannot be moved to an address its holder does not own; the real owner signs up", async () => {
    const app = appWith({}, STRICT);
    const squatter = await verifiedUser(app);
    const owners = uniqueEmail("owner");
    await app("/api/users", put({ email: owners, password: PASSWORD }, squatter.token));
    // The real owner of the address signs up (no 409: the pending change claims nothing)…
    expect((await app("/api/users", json({ email: owners, password: "the owner's password" }))).status).toBe(201);
    // …and the squatter's link, even if it leaked, can no longer move the account there.
    // The mailbox is newest first: the squatter's link is the oldest mail, the owner's sign-up's the newest.
    const tokens = (await mailbox(owners)).map((m) => LINK_TOKEN.exec(m.text)?.[1]);
    expect(tokens).toHaveLength(2);
    const token = tokens[1] as string;
    const res = await app("/api/email-verifications/confirm", json({ token }));
    expect(res.status).toBe(409);
    expect((await login(app, squatter.email, PASSWORD)).status).toBe(200);
    // The address belongs to its owner's account alone.
    expect((await login(app, owners, "the owner's password")).status).toBe(403); // not verified yet, but theirs
  });

  it("the current address is told, with a link that cancels the change", async () => {
    const app = appWith({}, STRICT);
    const user = await verifiedUser(app);
    const target = uniqueEmail("cancelled");
    await app("/api/users", put({ email: target, password: PASSWORD }, user.token));
    const notice = (await mailbox(user.email)).find((m) => /waiting/.test(m.subject));
    expect(notice?.text).toContain("http://chirpy.test/app/cancel-email-change#token=");
    const cancel = LINK_TOKEN.exec(notice?.text ?? "")?.[1] as string;
    expect((await app("/api/email-changes/cancel", json({ token: cancel }))).status).toBe(204);
    // Nothing pending; the new address's link no longer works; the cancel link works once.
    const me = await login(app, user.email, PASSWORD);
    expect(await me.json()).toMatchObject({ email: user.email, pending_email: null });
    const verify = await app("/api/email-verifications/confirm", json({ token: await tokenFrom(target, /Confirm/) }));
    expect(verify.status).toBe(400);
    expect((await app("/api/email-changes/cancel", json({ token: cancel }))).status).toBe(400);
  });

  it("with the setting off, the course's behaviour: the change applies at once, unverified, the old address told", async () => {
    const app = appWith({}, ROOMY);
    const user = await newUser(app);
    const target = uniqueEmail("at-once");
    const res = await app("/api/users", put({ email: target, password: PASSWORD }, user.token));
    expect(await res.json()).toMatchObject({ email: target, email_verified: false, pending_email: null });
    expect((await mailbox(user.email)).map((m) => m.subject)).toContain(
      "The email address of your Chirpy account was changed",
    );
  });
});
