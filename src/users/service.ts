// The account rules: sign-up under a per-network limit, and credential changes that carry the
// caller's session check. Never sees Context, Request or Response.

import type { Authenticated } from "../auth/access";
import { type ClientMeta, charge, charges, enforce, reserveStatement, spend } from "../auth/budgets";
import type { Credentials } from "../auth/login";
import { randomUuid } from "../crypto/bytes";
import { hashPassword, verifyPassword } from "../crypto/password";
import { recoveryCodeCountStatement } from "../db/mfa";
import { listPasskeys, passkeyCountStatement } from "../db/passkeys";
import type { User } from "../db/schema";
import { insertUser, selectUserByEmail, updateUserCredentials } from "../db/users";
import type { Deps } from "../deps";
import { conflict, EMAIL_TAKEN, INVALID_ACCESS_TOKEN, invalidToken } from "../errors";
import { emitSecurityEvent } from "../events";
import { emailChangedNotice, passwordChangedNotice } from "../mail/messages";
import { type MailMeta, sendEmailChangeCancelLater, sendVerificationLater } from "../recovery/service";

/** The user row, as routes may name it (they never import src/db). */
export type { User };

/**
 * Signs a user up. Each sign-up is counted per client network (IPv6 by /64, /56 and /48) and
 * against a global budget before anything is hashed, so the endpoint is no unlimited PBKDF2
 * oracle or account factory: past a budget the answer is 429. A taken email is a 409 without
 * hashing (the contract's 409 reveals it anyway).
 */
export async function createUser(deps: Deps, input: Credentials, meta: MailMeta): Promise<User> {
  const { config, clock, db } = deps;
  const nowMs = clock.now();
  const now = new Date(nowMs);
  // Per network (IPv6 by /64, /56 and /48) and, for any network, the global budget.
  const spent = meta.ip ? [...charges(config, "signups", meta.ip), ...charges(config, "signups_global", null)] : [];
  const reservation = reserveStatement(db, spent, now);
  const [counts, [existing]] = reservation
    ? await db.batch([reservation, selectUserByEmail(db, input.email)])
    : [[], await selectUserByEmail(db, input.email)];
  enforce(spent, counts, nowMs, { ip: meta.ip });
  if (existing) throw conflict(EMAIL_TAKEN);

  const user = await insertUser(db, {
    id: randomUuid(deps.random),
    createdAt: now,
    updatedAt: now,
    email: input.email,
    hashedPassword: await hashPassword(input.password, deps.random),
  });
  if (!user) throw conflict(EMAIL_TAKEN);
  emitSecurityEvent({ event: "signup.succeeded", user_id: user.id, ip: meta.ip });
  sendVerificationLater(deps, user, meta);
  return user;
}

/**
 * Counts a credential change before any hashing: against the user's budget (every PUT hashes the
 * password to tell whether it changed) and, when it names another email, against the network's
 * sign-up budget (a 409 there answers "is this email registered?", the question sign-up asks).
 * Over either → 429, nothing hashed or written.
 */
async function spendCredentialChangeBudgets(deps: Deps, user: User, newEmail: boolean, meta: ClientMeta) {
  const { config } = deps;
  await spend(
    deps,
    [charge(config, "credential_changes", user.id), ...(newEmail ? charges(config, "email_probes", meta.ip) : [])],
    { ip: meta.ip, user_id: user.id },
  );
}

/** What PUT /api/users changes: the email, the password, or both (what is left out stays). */
export interface CredentialChange {
  email?: string;
  password?: string;
}

/**
 * Sets a user's email, password, or both. A new password ends every session of the user, their
 * access tokens included (ASVS 7.4.3); the same password with a new email ends none. The
 * update lands only while the caller's session is live: a session ended mid-request (log out
 * everywhere from another device) stops it with a 401.
 */
export async function updateCredentials(
  deps: Deps,
  caller: Authenticated,
  input: CredentialChange,
  meta: MailMeta,
): Promise<User> {
  const { user, sessionId } = caller;
  const email = input.email ?? user.email;
  const newAddress = email !== user.email;
  await spendCredentialChangeBudgets(deps, user, newAddress, meta);
  // With REQUIRE_VERIFIED_EMAIL on, a new address waits until its owner confirms it: the account
  // cannot be moved to an address its holder does not control.
  const holdChange = newAddress && deps.config.requireVerifiedEmail;
  if (holdChange && (await selectUserByEmail(deps.db, email)).length > 0) throw conflict(EMAIL_TAKEN);
  // A password left out, or the current one again, changes nothing.
  const newPassword =
    input.password !== undefined && !(await verifyPassword(input.password, user.hashedPassword))
      ? input.password
      : null;
  const samePassword = newPassword === null;
  const hashedPassword = newPassword === null ? user.hashedPassword : await hashPassword(newPassword, deps.random);
  // An email left out leaves a held change as it is; one given (even the current one) replaces it.
  const pendingEmail = input.email === undefined ? user.pendingEmail : holdChange ? email : null;
  const result = await updateUserCredentials(deps.db, {
    userId: user.id,
    sessionId,
    email: holdChange ? user.email : email,
    pendingEmail,
    hashedPassword,
    passwordChanged: !samePassword,
    voidTokens: newAddress || !samePassword || user.pendingEmail !== pendingEmail,
    now: new Date(deps.clock.now()),
  });
  if (!result.ok) {
    switch (result.reason) {
      case "email_taken":
        throw conflict(EMAIL_TAKEN);
      case "session_ended":
        throw invalidToken(INVALID_ACCESS_TOKEN);
    }
  }
  const emailChanged = result.user.email !== user.email;
  emitSecurityEvent({
    event: "credentials.changed",
    user_id: user.id,
    session_id: sessionId,
    password_changed: !samePassword,
    email_changed: emailChanged,
    email_change_pending: holdChange,
  });
  // The new address is unverified until its owner follows the link; the old one hears of it.
  if (emailChanged) {
    sendVerificationLater(deps, result.user, meta);
    deps.defer("email_changed_notice", () => deps.mail.send(emailChangedNotice(user.email)));
  }
  // Held: the new address gets the link that applies the change, the current one a way to cancel.
  if (holdChange) {
    sendVerificationLater(deps, result.user, meta, "pending");
    sendEmailChangeCancelLater(deps, result.user, meta);
  }
  if (!samePassword) {
    deps.defer("password_changed_notice", async () => {
      const passkeys = (await listPasskeys(deps.db, user.id)).map((passkey) => passkey.name);
      await deps.mail.send(passwordChangedNotice(result.user.email, passkeys));
    });
  }
  if (result.sessionsEnded > 0) {
    emitSecurityEvent({
      event: "session.ended",
      user_id: user.id,
      session_id: null,
      by: "password_change",
      count: result.sessionsEnded,
    });
  }
  return result.user;
}

/** GET /api/users/me's facts beyond the user row: its passkeys and recovery codes, counted in one trip. */
export async function accountFacts(deps: Deps, user: User) {
  const [[passkeys], [codes]] = await deps.db.batch([
    passkeyCountStatement(deps.db, user.id),
    recoveryCodeCountStatement(deps.db, user.id),
  ]);
  return { passkeys: passkeys?.n ?? 0, totp: user.totpSecret !== null, recovery_codes_left: codes?.n ?? 0 };
}
