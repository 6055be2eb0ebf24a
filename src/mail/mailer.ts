// Sending mail through Cloudflare Email Service: the `send_email` binding's structured send()
// ({ from, to, subject, text, html }), which the pinned local runtime (wrangler 4.86, miniflare
// 4.20260426) supports as production does. A failed send is retried a bounded number of times
// and then becomes a security-event line; it never throws into a request (mail is sent from
// background tasks, see background.ts).

import { emitSecurityEvent } from "../events";
import { keepForDev } from "./dev-mailbox";

type MailKind =
  | "password_reset"
  | "email_verification"
  | "email_changed"
  | "password_changed"
  | "email_change_requested"
  | "passkey_added"
  | "mfa_enabled"
  | "mfa_disabled";

export interface Mail {
  kind: MailKind;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /**
   * Sends, retrying on failure; resolves either way (a final failure is logged as an event).
   * First spends the recipient's budget (MAIL_MAX_PER_RECIPIENT per mail window), unless the
   * caller spent it already in its own batch (`recipientBudgetSpent`); past it nothing is sent.
   */
  send(mail: Mail, options?: { recipientBudgetSpent?: boolean }): Promise<void>;
}

/** The binding as the code uses it (the Workers type's structured form). */
export interface MailBinding {
  send(message: { from: string; to: string; subject: string; text: string; html: string }): Promise<unknown>;
}

/** Waits before each attempt: the first at once, then a little longer each time. */
const BACKOFF_MS = [0, 200, 1000];

export interface MailerOptions {
  binding: MailBinding | undefined;
  from: string;
  /** PLATFORM=dev: keep every mail for GET /admin/mailbox. */
  devMailbox: boolean;
  now: () => number;
  /** Counts one mail to the address; false when its budget is spent (then nothing is sent, and its event says so). */
  spendRecipientBudget: (to: string, kind: MailKind) => Promise<boolean>;
}

export function createMailer({ binding, from, devMailbox, now, spendRecipientBudget }: MailerOptions): Mailer {
  return {
    async send(mail, options = {}) {
      const { kind, ...message } = mail;
      if (!options.recipientBudgetSpent && !(await spendRecipientBudget(mail.to, kind))) return;
      if (devMailbox) {
        keepForDev({ to: mail.to, subject: mail.subject, text: mail.text, sent_at: new Date(now()).toISOString() });
      }
      if (!binding) {
        emitSecurityEvent({ event: "mail.send_failed", kind, attempts: 0, error: "no EMAIL binding" });
        return;
      }
      let lastError = "";
      for (const [attempt, wait] of BACKOFF_MS.entries()) {
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        try {
          await binding.send({ from, ...message });
          return;
        } catch (error) {
          // The error's type only: its message may name the recipient.
          lastError = error instanceof Error ? error.name : "unknown";
          if (attempt === BACKOFF_MS.length - 1) break;
        }
      }
      emitSecurityEvent({ event: "mail.send_failed", kind, attempts: BACKOFF_MS.length, error: lastError });
    },
  };
}
