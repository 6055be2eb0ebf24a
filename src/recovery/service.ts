// Account recovery and verified email: password resets and verification mails. Never sees
// Context, Request or Response.
// - A reset request is answered 202 before anything is looked up: the budgets, the lookup, the
//   token and the mail all run after the response (deps.defer), so known and unknown addresses get
//   the same answer in the same time, and over budget nothing is sent.
// - Tokens: 32 random bytes, stored as their SHA-256 only, single use, one per user and purpose,
//   bound to the address they were sent to.

import {
  type ClientMeta,
  charge,
  charges,
  enforce,
  loginLockOf,
  recipientCharge,
  reserveStatement,
  spend,
} from "../auth/budgets";
import { newOpaqueToken, OPAQUE_TOKEN_PATTERN } from "../auth/tokens";
import { sha256Hex } from "../crypto/bytes";
import { hashPassword } from "../crypto/password";
import {
  type AccountTokenPurpose,
  cancelEmailChange,
  findLiveAccountToken,
  issueAccountTokenToAddressStatement,
  resetPassword,
  saveAccountTokenStatement,
  verifyEmail,
} from "../db/account-tokens";
import { listPasskeys } from "../db/passkeys";
import type { User } from "../db/schema";
import type { Deps } from "../deps";
import {
  badRequest,
  conflict,
  EMAIL_TAKEN,
  INVALID_CANCEL_TOKEN,
  INVALID_RESET_TOKEN,
  INVALID_VERIFICATION_TOKEN,
} from "../errors";
import { emitSecurityEvent, emitThrottledSecurityEvent } from "../events";
import {
  emailChangeRequestedNotice,
  passwordChangedNotice,
  passwordResetMail,
  ttlSecondsOf,
  verificationMail,
} from "../mail/messages";

/** Where a request came from, and where its mail's links point (null: nowhere configured). */
export interface MailMeta extends ClientMeta {
  appUrl: string | null;
}

// A deployment without APP_URL says so once per isolate, not once per mail.
let reportedMissingAppUrl = false;

/**
 * The base of a mail's links, or null when there is none: then the mail is not sent, and an event
 * says why (in production APP_URL is unset: a misconfiguration, logged once per isolate; in
 * development the request named a host that is not loopback, and without APP_URL a Host header
 * never chooses where a token goes).
 */
function linkBaseOf(deps: Deps, meta: MailMeta, kind: AccountTokenPurpose): string | null {
  if (meta.appUrl !== null) return meta.appUrl;
  const production = deps.config.platform !== "dev";
  if (!production || !reportedMissingAppUrl) {
    reportedMissingAppUrl ||= production;
    emitSecurityEvent({
      event: "mail.link_unavailable",
      kind,
      reason: production ? "app_url_unset" : "host_not_loopback",
    });
  }
  return null;
}

/**
 * Makes a token for the user and purpose (replacing an older one), bound to the user's current
 * address; returns it with that address, or null when the user no longer exists.
 */
async function issueAccountToken(
  deps: Deps,
  userId: string,
  purpose: AccountTokenPurpose,
  to: "current" | "pending" = "current",
) {
  const nowMs = deps.clock.now();
  const ttl = ttlSecondsOf(deps.config, purpose);
  const token = newOpaqueToken(deps);
  const [saved] = await saveAccountTokenStatement(deps.db, {
    tokenHash: await sha256Hex(token),
    userId,
    purpose,
    now: new Date(nowMs),
    expiresAt: new Date(nowMs + ttl * 1000),
    to,
  });
  return saved ? { token, ttlSeconds: ttl, to: saved.email } : null;
}

/** POST /api/password-resets: schedules the work and returns at once, whatever the address. */
export function requestPasswordReset(deps: Deps, email: string, meta: MailMeta): void {
  deps.defer("password_reset", () => sendPasswordReset(deps, email, meta));
}

/**
 * The work after a reset request's 202, the same for a registered and an unknown address: one
 * batch counts the request against its budgets (the address, the network, the recipient's mail
 * budget) and stores a token for whoever has the address, only within those budgets. Only then
 * does it differ: a mail goes out if a token was stored. So the database sees the same statements
 * and the same commit either way (a test compares the bookmark's movement).
 */
async function sendPasswordReset(deps: Deps, email: string, meta: MailMeta): Promise<void> {
  const { config, db } = deps;
  // Nowhere to point the link: nothing is stored or sent (the same for every address).
  const appUrl = linkBaseOf(deps, meta, "password_reset");
  if (appUrl === null) return;
  const nowMs = deps.clock.now();
  const spent = [
    charge(config, "reset_requests", await sha256Hex(email)),
    ...charges(config, "reset_requests_per_network", meta.ip),
    await recipientCharge(config, email),
  ];
  const token = newOpaqueToken(deps);
  const ttlSeconds = ttlSecondsOf(deps.config, "password_reset");
  const [counts, issued] = await db.batch([
    // Never null: the address's budgets are always spent.
    reserveStatement(db, spent, new Date(nowMs)) as NonNullable<ReturnType<typeof reserveStatement>>,
    issueAccountTokenToAddressStatement(db, {
      tokenHash: await sha256Hex(token),
      email,
      purpose: "password_reset",
      now: new Date(nowMs),
      expiresAt: new Date(nowMs + ttlSeconds * 1000),
      within: spent,
    }),
  ]);
  // Past a budget the token was not stored, and the answer (a 202, long gone) does not change.
  if (enforce(spent, counts, nowMs, { ip: meta.ip, kind: "password_reset" })) return;
  const [stored] = issued;
  emitSecurityEvent({ event: "password_reset.requested", user_id: stored?.userId ?? null, ip: meta.ip });
  if (!stored) return;
  const mail = passwordResetMail(stored.email, { appUrl, token, ttlSeconds });
  await deps.mail.send(mail, { recipientBudgetSpent: true });
}

/**
 * POST /api/password-resets/confirm: consumes the token, sets the new password, ends every
 * session of the user (refresh and access tokens stop at once) and clears the address's login
 * lock, in one batch. A wrong, used, replaced or expired token → 400, nothing changed.
 */
export async function confirmPasswordReset(
  deps: Deps,
  token: string,
  password: string,
  meta: ClientMeta,
): Promise<void> {
  const { db } = deps;
  const now = new Date(deps.clock.now());
  const refused = (reason: "invalid_token" | "address_changed" = "invalid_token") => {
    emitThrottledSecurityEvent({ event: "password_reset.failed", reason, ip: meta.ip }, deps.clock.now());
    return badRequest(INVALID_RESET_TOKEN);
  };
  if (!OPAQUE_TOKEN_PATTERN.test(token)) throw refused();
  const tokenHash = await sha256Hex(token);
  // Hash only for a live token: a junk token costs one indexed read.
  const found = await findLiveAccountToken(db, tokenHash, "password_reset", now);
  if (!found) throw refused();
  // Mailed to an address the account no longer has (its batch checks this again).
  if (found.email !== found.userEmail) throw refused("address_changed");
  const emailDigest = await sha256Hex(found.userEmail);
  const result = await resetPassword(db, {
    tokenHash,
    userId: found.userId,
    hashedPassword: await hashPassword(password, deps.random),
    loginLock: loginLockOf(emailDigest),
    now,
  });
  // Another confirm with the same token won the batch, or the address changed meanwhile.
  if (!result) throw refused();
  emitSecurityEvent({ event: "password_reset.completed", user_id: found.userId });
  // A reset keeps the account's passkeys: the owner hears which, to remove any they do not know.
  deps.defer("password_changed_notice", async () => {
    const names = (await listPasskeys(db, found.userId)).map((passkey) => passkey.name);
    if (names.length > 0) await deps.mail.send(passwordChangedNotice(found.userEmail, names));
  });
  if (result.sessionsEnded > 0) {
    emitSecurityEvent({
      event: "session.ended",
      user_id: found.userId,
      session_id: null,
      by: "password_reset",
      count: result.sessionsEnded,
    });
  }
}

/**
 * Sends the user a verification mail after the response (sign-up, email change): to the current
 * address, or to the pending one (a held change, which following the link applies).
 */
export function sendVerificationLater(
  deps: Deps,
  user: Pick<User, "id">,
  meta: MailMeta,
  to: "current" | "pending" = "current",
): void {
  deps.defer("email_verification", async () => {
    const appUrl = linkBaseOf(deps, meta, "email_verification");
    if (appUrl === null) return;
    const link = await issueAccountToken(deps, user.id, "email_verification", to);
    if (link) await deps.mail.send(verificationMail(link.to, { appUrl, ...link }));
  });
}

/** Tells the current address of a held email change, with a link that cancels it. */
export function sendEmailChangeCancelLater(deps: Deps, user: Pick<User, "id">, meta: MailMeta): void {
  deps.defer("email_change_cancel", async () => {
    const appUrl = linkBaseOf(deps, meta, "email_change_cancel");
    if (appUrl === null) return;
    const link = await issueAccountToken(deps, user.id, "email_change_cancel");
    if (link) await deps.mail.send(emailChangeRequestedNotice(link.to, { appUrl, ...link }));
  });
}

/** POST /api/email-changes/cancel: the current address's owner stops a held change. */
export async function cancelPendingEmailChange(deps: Deps, token: string): Promise<void> {
  const userId = OPAQUE_TOKEN_PATTERN.test(token)
    ? await cancelEmailChange(deps.db, await sha256Hex(token), new Date(deps.clock.now()))
    : null;
  if (!userId) throw badRequest(INVALID_CANCEL_TOKEN);
  emitSecurityEvent({ event: "email_change.cancelled", user_id: userId });
}

/**
 * POST /api/email-verifications: a new verification mail for the caller's address, within
 * EMAIL_VERIFICATION_MAX_PER_USER per mail window (429 past it). Nothing is sent for an address
 * already verified.
 */
export async function resendVerification(deps: Deps, user: User, meta: MailMeta): Promise<void> {
  await spend(deps, [charge(deps.config, "verification_mails", user.id)], { ip: meta.ip, user_id: user.id });
  if (!user.emailVerified) sendVerificationLater(deps, user, meta);
}

/** POST /api/email-verifications/confirm: marks the address the token was sent to as verified. */
export async function confirmEmailVerification(deps: Deps, token: string, meta: ClientMeta): Promise<void> {
  const refused = (reason: "invalid_token" | "address_changed") => {
    emitThrottledSecurityEvent({ event: "email_verification.failed", reason, ip: meta.ip }, deps.clock.now());
    return badRequest(INVALID_VERIFICATION_TOKEN);
  };
  if (!OPAQUE_TOKEN_PATTERN.test(token)) throw refused("invalid_token");
  const result = await verifyEmail(deps.db, await sha256Hex(token), new Date(deps.clock.now()));
  if (!result) throw refused("invalid_token");
  if (result.outcome === "address_changed") throw refused("address_changed");
  if (result.outcome === "address_taken") throw conflict(EMAIL_TAKEN);
  if (result.outcome === "email_changed") emitSecurityEvent({ event: "email.changed", user_id: result.userId });
  emitSecurityEvent({ event: "email.verified", user_id: result.userId });
}
