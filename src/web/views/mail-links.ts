// The pages mail links open (/app/<page>#token=…): each acts on a button, never on load, so a mail
// scanner that opens every link (and runs its scripts) changes nothing.

import { field, h, inputValue, render, say, sayRefused } from "../dom";
import { client, resume, screens } from "../session";
import { showForgotPassword } from "./forgot-password";

/** /app/reset-password: choose a new password. */
export function showResetPassword(token: string) {
  say("");
  const password = h("input", { type: "password", autocomplete: "new-password", required: true });
  render(
    h(
      "form",
      {
        onsubmit: async (event: Event) => {
          event.preventDefault();
          const { error } = await client.anonymous.POST("/api/password-resets/confirm", {
            body: { token, password: inputValue(password) },
          });
          if (error?.code === "invalid_reset_token") {
            showForgotPassword("");
            return say("This link has expired or was already used: ask for a new one below.", "error");
          }
          if (error) return sayRefused("Not reset", error);
          screens.loggedOut("Password reset: every session was logged out. Log in with the new password.");
        },
      },
      h("h2", {}, "Choose a new password"),
      ...field("New password", password),
      h("button", { type: "submit" }, "Reset password"),
    ),
  );
}

/** /app/verify-email: confirm the address. */
export function showVerifyEmail(token: string) {
  say("");
  render(
    h(
      "form",
      {
        onsubmit: async (event: Event) => {
          event.preventDefault();
          const { error } = await client.anonymous.POST("/api/email-verifications/confirm", { body: { token } });
          if (!error) return resume("Email address verified");
          await resume(
            error.code === "invalid_verification_token"
              ? "Not verified: this link has expired, was already used, or was sent to a former address; log in and ask for a new one"
              : `Not verified: ${error.error}`,
            "error",
          );
        },
      },
      h("h2", {}, "Confirm your email address"),
      h("p", {}, "Confirm that this address is yours, to finish setting up your Chirpy account."),
      h("button", { type: "submit" }, "Confirm my email"),
    ),
  );
}

/** /app/cancel-email-change: stop a held email change. */
export function showCancelEmailChange(token: string) {
  say("");
  render(
    h(
      "form",
      {
        onsubmit: async (event: Event) => {
          event.preventDefault();
          const { error } = await client.anonymous.POST("/api/email-changes/cancel", { body: { token } });
          if (error) return sayRefused("Not cancelled", error);
          await resume(
            "Email change cancelled: your account stays on this address. Change your password if it was not you.",
          );
        },
      },
      h("h2", {}, "Cancel the email change"),
      h("p", {}, "Someone asked to move your Chirpy account to another address. Cancel it if that was not you."),
      h("button", { type: "submit" }, "Cancel the email change"),
    ),
  );
}
