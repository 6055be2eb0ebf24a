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
          // Used, replaced or expired: a way to a new link, there and then.
          if (error?.code === "invalid_reset_token") return showForgotPassword("", "spent");
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

/** A verification link that was used, replaced, expired or sent to a former address. */
function showVerificationLinkSpent() {
  say("This verification link has expired, was already used, or was sent to a former address.", "error");
  render(
    h(
      "div",
      {},
      h("h2", {}, "Get a new verification link"),
      h("p", {}, "We mail a new link to your account's current address. You need to be logged in."),
      h(
        "div",
        { class: "toolbar" },
        h(
          "button",
          {
            type: "button",
            class: "primary",
            onclick: async () => {
              if (!(await client.refresh().catch(() => null))) {
                return screens.loggedOut("Log in first: then the banner offers a new verification mail.", "error");
              }
              const { data: me } = await client.rpc.GET("/api/users/me");
              if (me?.email_verified) return resume("Your email address is already verified");
              const { error } = await client.rpc.POST("/api/email-verifications");
              if (error) return sayRefused("Not sent", error);
              await resume("A new verification mail is on its way: use the link in the newest one");
            },
          },
          "Send a new link",
        ),
        h("button", { type: "button", onclick: () => resume() }, "Back"),
      ),
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
          if (error.code === "invalid_verification_token") return showVerificationLinkSpent();
          await resume(`Not verified: ${error.error}`, "error");
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
