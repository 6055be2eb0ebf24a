// The account page: change the email, the password, or both.

import { PasskeyError } from "chirpy-edge/client";
import { field, h, inputValue, render, say, sayRefused } from "../dom";
import { timeOf } from "../format";
import { announce, client, screens, state } from "../session";
import { showHome } from "./home";
import { showLoggedOut } from "./logged-out";
import { twoFactorSection } from "./two-factor";

export function showAccount() {
  const { me } = state;
  if (!me) return showLoggedOut();
  say("");
  // Pre-filled with the current address; either field may change alone.
  const email = h("input", { type: "email", autocomplete: "username", required: true, value: me.email ?? "" });
  const password = h("input", { type: "password", autocomplete: "new-password" });
  render(
    h(
      "form",
      {
        onsubmit: async (event: Event) => {
          event.preventDefault();
          const newEmail = inputValue(email).trim();
          const newPassword = inputValue(password);
          const change = {
            ...(newEmail.toLowerCase() !== (me.email ?? "") ? { email: newEmail } : {}),
            ...(newPassword ? { password: newPassword } : {}),
          };
          if (Object.keys(change).length === 0) return say("Nothing to save: change the email, the password, or both");
          const { data: user, error } = await client.rpc.PUT("/api/users", { body: change });
          if (error?.code === "email_taken") return say("Not saved: another account has that address", "error");
          if (error) return sayRefused("Not saved", error);
          if (change.password) {
            // A new password ended every session, this one included: forget it and say so.
            state.me = null;
            await client.logout();
            announce("logged-out");
            return screens.loggedOut(
              "Password changed: every session was logged out, this one too. Log in with the new password.",
            );
          }
          if (state.me) state.me.email = user.email;
          await showHome(
            user.pending_email
              ? `Saved. Confirm ${user.pending_email} through the link we sent there: your account stays on ${user.email} until then`
              : "Saved",
          );
        },
      },
      h("h2", {}, "Account"),
      ...field("New email", email),
      ...field("New password", password),
      h(
        "p",
        { class: "hint" },
        "Leave it empty to keep your password. A new password logs you out everywhere, here too.",
      ),
      h(
        "div",
        { class: "toolbar" },
        h("button", { type: "submit" }, "Save"),
        h("button", { type: "button", onclick: () => showHome("") }, "Back"),
      ),
    ),
    passkeysSection(),
    twoFactorSection(),
  );
}

/** The Passkeys section: the user's passkeys, each removable, and a button that adds one. */
function passkeysSection(): HTMLElement {
  const list = h("ul", { "aria-label": "Passkeys" });
  const name = h("input", { type: "text", maxlength: 64, autocomplete: "off" });
  const section = h(
    "section",
    {},
    h("h2", {}, "Passkeys"),
    h("p", {}, "Sign in without your password: with this device's screen lock, or a security key."),
    list,
    ...field("Passkey name (optional)", name),
    h(
      "button",
      {
        type: "button",
        onclick: async () => {
          try {
            const added = await client.passkeys.register({ name: inputValue(name).trim() || undefined });
            (name as HTMLInputElement).value = "";
            say(`Passkey "${added.name}" added`);
            await loadPasskeys(list);
          } catch (error) {
            if (!(error instanceof PasskeyError)) throw error;
            say(passkeyProblem(error), "error");
          }
        },
      },
      "Add a passkey",
    ),
  );
  loadPasskeys(list);
  return section;
}

const passkeyProblem = (error: PasskeyError) =>
  ({
    unsupported: "This browser or device cannot make passkeys",
    cancelled: "No passkey was added (the dialog was closed)",
    refused: `No passkey was added: ${error.message}`,
    failed: `No passkey was added: ${error.message}`,
  })[error.reason];

async function loadPasskeys(list: HTMLElement) {
  const passkeys = await client.passkeys.list().catch(() => null);
  if (!passkeys) return;
  const when = (iso: string | null) => (iso ? timeOf(iso) : "never");
  list.replaceChildren(
    ...(passkeys.length === 0
      ? [h("li", { class: "meta" }, "No passkeys yet")]
      : passkeys.map((passkey) =>
          h(
            "li",
            {},
            h("p", {}, passkey.name),
            h(
              "div",
              { class: "meta" },
              "Added ",
              when(passkey.created_at),
              ", last used ",
              when(passkey.last_used_at),
              " ",
              h(
                "button",
                {
                  type: "button",
                  onclick: async () => {
                    await client.passkeys.remove(passkey.id).catch(() => say("Not removed", "error"));
                    say(`Passkey "${passkey.name}" removed`);
                    await loadPasskeys(list);
                  },
                },
                "Remove",
              ),
            ),
          ),
        )),
  );
}
