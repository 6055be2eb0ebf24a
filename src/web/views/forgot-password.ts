// Asking for a reset link by mail.

import { field, h, inputValue, render, say, sayRefused } from "../dom";
import { client, screens } from "../session";

export function showForgotPassword(prefill: string) {
  say("");
  const email = h("input", { type: "email", autocomplete: "username", required: true, value: prefill });
  render(
    h(
      "form",
      {
        onsubmit: async (event: Event) => {
          event.preventDefault();
          const { error } = await client.anonymous.POST("/api/password-resets", { body: { email: inputValue(email) } });
          if (error) return sayRefused("Not sent", error);
          // The same answer whether or not the address has an account.
          screens.loggedOut(
            "If an account has that address, a reset link is on its way. It works once, for a short while.",
          );
        },
      },
      h("h2", {}, "Forgot password"),
      h("p", {}, "We will mail a link to choose a new password."),
      ...field("Email", email),
      h(
        "div",
        { class: "toolbar" },
        h("button", { type: "submit" }, "Send reset link"),
        h("button", { type: "button", onclick: () => screens.loggedOut() }, "Back"),
      ),
    ),
  );
}
