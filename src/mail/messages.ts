// The mails the API sends, as text and HTML. Links carry their token in the fragment (#token=…),
// which browsers never send to a server or put in a Referer: it reaches no log on the way.

import type { Config } from "../config";
import type { AccountTokenPurpose } from "../db/account-tokens";
import type { Mail } from "./mailer";

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

/** Text paragraphs as a minimal HTML mail; a paragraph that is a URL becomes a link. */
function toHtml(paragraphs: string[]): string {
  const body = paragraphs
    .map((p) =>
      /^https?:\/\/\S+$/.test(p) ? `<p><a href="${escapeHtml(p)}">${escapeHtml(p)}</a></p>` : `<p>${escapeHtml(p)}</p>`,
    )
    .join("\n");
  return `<!doctype html><html><body>\n${body}\n</body></html>`;
}

function mail(kind: Mail["kind"], to: string, subject: string, paragraphs: string[]): Mail {
  return { kind, to, subject, text: `${paragraphs.join("\n\n")}\n`, html: toHtml(paragraphs) };
}

const minutes = (seconds: number) =>
  seconds % 3600 === 0 ? `${seconds / 3600} hour${seconds === 3600 ? "" : "s"}` : `${Math.ceil(seconds / 60)} minutes`;

/**
 * Each mailed token's purpose, once: how long its link lives (the setting) and where it opens in
 * the web app (public/_redirects serves each page the app; the app picks its view by the path). The
 * type makes a purpose without a row an error, so a new purpose cannot borrow another's TTL.
 */
export const MAIL_LINKS = {
  password_reset: { ttl: "passwordResetTtlSeconds", page: "reset-password" },
  email_verification: { ttl: "emailVerificationTtlSeconds", page: "verify-email" },
  // The cancel link lives as long as the link that would apply the change.
  email_change_cancel: { ttl: "emailVerificationTtlSeconds", page: "cancel-email-change" },
} as const satisfies Record<AccountTokenPurpose, { ttl: keyof Config; page: string }>;

/** How long a purpose's link lives, in seconds. */
export const ttlSecondsOf = (config: Config, purpose: AccountTokenPurpose): number => config[MAIL_LINKS[purpose].ttl];

const linkTo = (purpose: AccountTokenPurpose, { appUrl, token }: TokenLink) =>
  `${appUrl}/${MAIL_LINKS[purpose].page}#token=${token}`;

export interface TokenLink {
  /** The base of links (APP_URL or the API's own /app). */
  appUrl: string;
  token: string;
  ttlSeconds: number;
}

export const passwordResetMail = (to: string, link: TokenLink) =>
  mail("password_reset", to, "Reset your Chirpy password", [
    "Someone, hopefully you, asked to reset the password of the Chirpy account of this address.",
    `Open this link within ${minutes(link.ttlSeconds)} to choose a new password (it works once):`,
    linkTo("password_reset", link),
    `Or, from an API client, POST /api/password-resets/confirm with {"token": "${link.token}", "password": "<new password>"}.`,
    "A new password logs you out everywhere. If you did not ask for this, ignore this mail: nothing changes.",
  ]);

export const verificationMail = (to: string, link: TokenLink) =>
  mail("email_verification", to, "Confirm your email address for Chirpy", [
    "Confirm that this address belongs to your Chirpy account.",
    `Open this link within ${minutes(link.ttlSeconds)}:`,
    linkTo("email_verification", link),
    `Or, from an API client, POST /api/email-verifications/confirm with {"token": "${link.token}"}.`,
    "If you did not sign up or change your address, ignore this mail.",
  ]);

export const emailChangedNotice = (to: string) =>
  mail("email_changed", to, "The email address of your Chirpy account was changed", [
    "The email address of your Chirpy account was just changed from this one to another address.",
    "If that was you, there is nothing to do. If not, someone else has your password: contact the service's support.",
  ]);

/**
 * A password change or reset: every session ended. Passkeys stay (a reset does not remove them),
 * so the mail names each, for the owner to remove any they do not recognise.
 */
export const passwordChangedNotice = (to: string, passkeyNames: string[] = []) =>
  mail("password_changed", to, "Your Chirpy password was changed", [
    "The password of your Chirpy account was just changed, and every session was logged out.",
    ...(passkeyNames.length > 0
      ? [
          `Your account can also be signed in to with these passkeys, which the change kept: ${passkeyNames.join(", ")}. Remove any you do not recognise on the Account page.`,
        ]
      : []),
    "If that was you, there is nothing to do. If not, reset your password now from the log-in page (Forgot password).",
  ]);

export const passkeyAddedNotice = (to: string, name: string) =>
  mail("passkey_added", to, "A passkey was added to your account", [
    `A passkey named "${name}" was just added to your Chirpy account: it can sign in without the password.`,
    "If that was you, there is nothing to do. If not, remove it on the Account page and change your password.",
  ]);

export const emailChangeRequestedNotice = (to: string, link: TokenLink) =>
  mail("email_change_requested", to, "A change of your Chirpy email address is waiting", [
    "Someone signed in to your Chirpy account asked to move it to another email address. The change happens only when that address confirms it; until then your account stays on this one.",
    `If that was not you, cancel the change (the link works once, for ${minutes(link.ttlSeconds)}) and change your password:`,
    linkTo("email_change_cancel", link),
  ]);

export const mfaEnabledNotice = (to: string) =>
  mail("mfa_enabled", to, "Two-factor authentication is on", [
    "Two-factor authentication was just turned on for your Chirpy account: logging in with the password now also asks for a code from your authenticator app.",
    "If that was not you, reset your password now from the log-in page (Forgot password).",
  ]);

export const mfaDisabledNotice = (to: string) =>
  mail("mfa_disabled", to, "Two-factor authentication was turned off", [
    "Two-factor authentication was just turned off for your Chirpy account: the password alone logs in again.",
    "If that was not you, reset your password now from the log-in page (Forgot password) and turn it on again.",
  ]);
