// The logged-out page: log in, sign up, or ask for a reset link.

import { field, h, inputValue, render, type SayKind, say, sayRefused, whenLeft } from "../dom";
import { client, logIn, logInWithPasskey, state } from "../session";
import { showForgotPassword } from "./forgot-password";

export function showLoggedOut(message = "", kind: SayKind = "info") {
  state.me = null;
  say(message, kind);
  // "webauthn": where the browser can, the field's suggestions include this site's passkeys.
  const email = h("input", { type: "email", name: "email", autocomplete: "username webauthn", required: true });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const tryLogIn = async () => {
    const refused = await logIn(inputValue(email), inputValue(password));
    if (refused) say(refused, "error");
  };
  const form = h(
    "form",
    {
      onsubmit: async (event: Event) => {
        event.preventDefault();
        await tryLogIn();
      },
    },
    h("h2", {}, "Welcome"),
    ...field("Email", email),
    ...field("Password", password),
    h(
      "div",
      { class: "toolbar" },
      h("button", { type: "submit" }, "Log in"),
      h("button", { type: "button", onclick: () => showForgotPassword(inputValue(email)) }, "Forgot password"),
      h(
        "button",
        {
          type: "button",
          onclick: async () => {
            if (!(form as HTMLFormElement).reportValidity()) return;
            const { error } = await client.anonymous.POST("/api/users", {
              body: { email: inputValue(email), password: inputValue(password) },
            });
            if (error?.code === "email_taken") {
              return say(
                "Sign-up failed: that address already has an account; log in, or use Forgot password",
                "error",
              );
            }
            if (error) return sayRefused("Sign-up failed", error);
            await tryLogIn();
          },
        },
        "Sign up",
      ),
    ),
  );
  const passkeyButton = h(
    "button",
    {
      type: "button",
      onclick: async () => {
        // One ceremony at a time: the autofill request yields to the dialog.
        autofill.abort();
        const refused = await logInWithPasskey();
        if (refused) say(refused, "error");
      },
    },
    "Sign in with a passkey",
  );
  render(form, h("div", { class: "toolbar passkey" }, passkeyButton));
  const autofill = new AbortController();
  whenLeft(() => autofill.abort());
  offerPasskeyAutofill(autofill.signal);
}

/** Passkeys in the Email field's autofill, where the browser offers them (conditional mediation). */
async function offerPasskeyAutofill(signal: AbortSignal) {
  const api = (globalThis as { PublicKeyCredential?: { isConditionalMediationAvailable?: () => Promise<boolean> } })
    .PublicKeyCredential;
  if (!(await api?.isConditionalMediationAvailable?.().catch(() => false))) return;
  const refused = await logInWithPasskey({ autofill: true, signal });
  if (refused && !signal.aborted) say(refused, "error");
}
