// The second step of a login with two-factor authentication on: a code from the authenticator
// app, or ("Use a recovery code") one of the recovery codes.

import { field, h, inputValue, render, say } from "../dom";
import { completeSecondStep, screens } from "../session";

export function showSecondStep(mfaToken: string, with_: "code" | "recovery" = "code") {
  say("");
  const recovery = with_ === "recovery";
  const input = recovery
    ? h("input", { type: "text", name: "recovery_code", autocomplete: "off", required: true })
    : h("input", {
        type: "text",
        name: "code",
        inputmode: "numeric",
        pattern: "[0-9]{6}",
        maxlength: 6,
        autocomplete: "one-time-code",
        required: true,
      });
  render(
    h(
      "form",
      {
        onsubmit: async (event: Event) => {
          event.preventDefault();
          const value = inputValue(input).trim();
          const refused = await completeSecondStep(
            recovery ? { mfaToken, recoveryCode: value } : { mfaToken, code: value },
          );
          if (refused) say(refused, "error");
        },
      },
      h("h2", {}, "Two-factor authentication"),
      h(
        "p",
        {},
        recovery
          ? "Enter one of your recovery codes. Each works once."
          : "Enter the six-digit code from your authenticator app.",
      ),
      ...field(recovery ? "Recovery code" : "Authentication code", input),
      h(
        "div",
        { class: "toolbar" },
        h("button", { type: "submit" }, "Verify"),
        h(
          "a",
          {
            href: "#",
            onclick: (event: Event) => {
              event.preventDefault();
              showSecondStep(mfaToken, recovery ? "code" : "recovery");
            },
          },
          recovery ? "Use the authentication code" : "Use a recovery code",
        ),
        h("button", { type: "button", onclick: () => screens.loggedOut() }, "Back"),
      ),
    ),
  );
  input.focus();
}
