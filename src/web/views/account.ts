// The account page: change the email, the password, or both.

import { field, h, inputValue, main, say, sayRefused } from "../dom";
import { client, state } from "../session";
import { showHome } from "./home";
import { showLoggedOut } from "./logged-out";

export function showAccount() {
  const { me } = state;
  if (!me) return showLoggedOut();
  say("");
  const email = h("input", { type: "email", autocomplete: "username", required: true, value: me.email ?? "" });
  const password = h("input", { type: "password", autocomplete: "new-password", required: true });
  main.replaceChildren(
    h(
      "form",
      {
        onsubmit: async (event: Event) => {
          event.preventDefault();
          const { data: user, error } = await client.rpc.PUT("/api/users", {
            body: { email: inputValue(email), password: inputValue(password) },
          });
          if (error?.code === "email_taken") return say("Not saved: another account has that address", "error");
          if (error) return sayRefused("Not saved", error);
          // A new password ends every session, this one included.
          if (!(await client.refresh())) return;
          if (state.me) state.me.email = user.email;
          await showHome(
            user.pending_email
              ? `Saved. Confirm ${user.pending_email} through the link we sent there: your account stays on ${user.email} until then`
              : "Saved",
          );
        },
      },
      h("h2", {}, "Account"),
      h("p", {}, "Change your email or password. A new password logs you out everywhere."),
      ...field("New email", email),
      ...field("New password", password),
      h(
        "div",
        { class: "toolbar" },
        h("button", { type: "submit" }, "Save"),
        h("button", { type: "button", onclick: () => showHome("") }, "Back"),
      ),
    ),
  );
}
