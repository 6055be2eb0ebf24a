// Asking for a reset link by mail: from the login form ("Forgot password"), or from a reset link
// that was used, replaced or expired ("Send a new link").

import { field, h, inputValue, render, say, sayRefused } from "../dom";
import { client, screens } from "../session";

const FORMS = {
  forgot: {
    heading: "Forgot password",
    intro: "We will mail a link to choose a new password.",
    submit: "Send reset link",
    back: "Back",
    sent: "If an account has that address, a reset link is on its way. It works once, for a short while.",
  },
  spent: {
    heading: "Get a new reset link",
    intro: "Each link works once, for a short while. Enter your address and we will mail a new one.",
    submit: "Send a new link",
    back: "Back to log in",
    sent: "If an account has that address, a new reset link is on its way. Use the newest one.",
  },
};

export function showForgotPassword(prefill: string, why: keyof typeof FORMS = "forgot") {
  const texts = FORMS[why];
  if (why === "spent") say("This reset link has expired or was already used.", "error");
  else say("");
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
          screens.loggedOut(texts.sent);
        },
      },
      h("h2", {}, texts.heading),
      h("p", {}, texts.intro),
      ...field("Email", email),
      h(
        "div",
        { class: "toolbar" },
        h("button", { type: "submit" }, texts.submit),
        h("button", { type: "button", onclick: () => screens.loggedOut() }, texts.back),
      ),
    ),
  );
}
