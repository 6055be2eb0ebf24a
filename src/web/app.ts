// The Chirpy web app (served at /app/ as static assets): the shipped client in cookie mode. The
// refresh token is an HttpOnly cookie this code never sees; the access token lives in the client's
// memory only; nothing is written to localStorage, sessionStorage or document.cookie. Tabs share
// one refresh at a time (Web Locks, in the client) and hear each other's log in and log out
// (BroadcastChannel). Every text from the server goes in through textContent, never as HTML.
// Built into public/app/app.js by scripts/build-client.mjs.

import { type ChirpBody, type ChirpyClient, createChirpyClient } from "chirpy-edge/client";

type Child = Node | string | null | false;

/** An element with attributes (on* are listeners) and children. */
function h(tag: string, attributes: Record<string, unknown> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value as EventListener);
    } else if (value === true) element.setAttribute(name, "");
    else if (value !== false && value !== undefined && value !== null) element.setAttribute(name, String(value));
  }
  for (const child of children) if (child) element.append(child);
  return element;
}

let nextId = 0;
/** A labelled field: the label's text is the field's accessible name. */
function field(label: string, control: HTMLElement): HTMLElement[] {
  const id = `field-${nextId++}`;
  control.id = id;
  return [h("label", { for: id }, label), control];
}

const main = document.getElementById("main") as HTMLElement;
const statusLine = document.getElementById("status") as HTMLElement;
const say = (message: string) => {
  statusLine.textContent = message;
};

const client: ChirpyClient = createChirpyClient({ baseUrl: location.origin, session: "cookie" });
const channel = "BroadcastChannel" in globalThis ? new BroadcastChannel("chirpy-edge session") : null;

interface Me {
  id: string;
  email: string | null;
  /** Known after a log-in in this tab (a reload only knows the session). */
  emailVerified: boolean | null;
}
let me: Me | null = null;
/** Whose chirps the timeline shows: everyone's (null) or one author's. */
let author: string | null = null;

/** The user id (`sub`) of an access token. */
function subjectOf(token: string): string {
  const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(part + "=".repeat((4 - (part.length % 4)) % 4))).sub;
}

const errorOf = async (res: Response) => {
  try {
    return ((await res.json()) as { error?: string }).error ?? `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
};

function showLoggedOut(message = "") {
  me = null;
  say(message);
  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const value = (input: HTMLElement) => (input as HTMLInputElement).value;
  const form = h(
    "form",
    {
      onsubmit: async (event: Event) => {
        event.preventDefault();
        await logIn(value(email), value(password));
      },
    },
    h("h2", {}, "Welcome"),
    ...field("Email", email),
    ...field("Password", password),
    h(
      "div",
      { class: "toolbar" },
      h("button", { type: "submit" }, "Log in"),
      h("button", { type: "button", onclick: () => showForgotPassword(value(email)) }, "Forgot password"),
      h(
        "button",
        {
          type: "button",
          onclick: async () => {
            if (!(form as HTMLFormElement).reportValidity()) return;
            const res = await client.anonymous.api.users.$post({
              json: { email: value(email), password: value(password) },
            });
            if (res.status !== 201) return say(`Sign-up failed: ${await errorOf(res)}`);
            await logIn(value(email), value(password));
          },
        },
        "Sign up",
      ),
    ),
  );
  main.replaceChildren(form);
}

async function logIn(email: string, password: string) {
  const body = await client.login(email, password);
  if (!body) return say("Log-in failed: incorrect email or password, or too many attempts");
  me = { id: body.id, email: body.email, emailVerified: body.email_verified };
  channel?.postMessage("logged-in");
  await showHome("");
}

async function showHome(message: string) {
  if (!me) return showLoggedOut();
  say(message);
  const chirp = h("textarea", { name: "chirp", maxlength: 140, required: true });
  const timeline = h("ul", { "aria-label": "Timeline" });
  const sessions = h("ul", { "aria-label": "Sessions" });
  const show = h(
    "select",
    {
      onchange: async (event: Event) => {
        const choice = (event.target as HTMLSelectElement).value;
        author = choice === "all" ? null : choice;
        await loadTimeline(timeline);
      },
    },
    h("option", { value: "all", selected: author === null }, "Everyone"),
    h("option", { value: me.id, selected: author === me.id }, "Only mine"),
    author && author !== me.id ? h("option", { value: author, selected: true }, `Author ${author.slice(0, 8)}`) : null,
  );
  main.replaceChildren(
    h(
      "div",
      { class: "toolbar" },
      h("span", {}, me.email ? `Logged in as ${me.email}` : "Logged in"),
      h("button", { type: "button", onclick: () => showAccount() }, "Account"),
      h("button", { type: "button", onclick: logOut }, "Log out"),
    ),
    me.emailVerified !== false
      ? ""
      : h(
          "p",
          {},
          "Your email address is not verified yet: follow the link in the mail we sent. ",
          h(
            "button",
            {
              type: "button",
              onclick: async () => {
                const res = await client.rpc.api["email-verifications"].$post();
                say(res.status === 202 ? "A new verification mail is on its way" : `Not sent: ${await errorOf(res)}`);
              },
            },
            "Resend verification email",
          ),
        ),
    h(
      "form",
      {
        onsubmit: async (event: Event) => {
          event.preventDefault();
          const input = chirp as HTMLTextAreaElement;
          const res = await client.rpc.api.chirps.$post({ json: { body: input.value } });
          if (res.status !== 201) return say(`Not posted: ${await errorOf(res)}`);
          input.value = "";
          say("Posted");
          await loadTimeline(timeline);
        },
      },
      ...field("New chirp", chirp),
      h("button", { type: "submit" }, "Post"),
    ),
    h("section", {}, h("h2", {}, "Timeline"), ...field("Show", show), timeline),
    h(
      "section",
      {},
      h("h2", {}, "Sessions"),
      sessions,
      h(
        "button",
        {
          type: "button",
          onclick: async () => {
            const res = await client.rpc.api.sessions.$delete();
            if (res.status !== 204) return say(`Could not end the sessions: ${await errorOf(res)}`);
            await client.logout();
            channel?.postMessage("logged-out");
          },
        },
        "Log out everywhere",
      ),
    ),
  );
  await Promise.all([loadTimeline(timeline), loadSessions(sessions)]);
}

/** Chirps per timeline page in the web app ("Load more" reads the next). */
const PAGE_SIZE = 20;

/** Bumped by every (re)load of the timeline: a page that arrives for an older load is dropped. */
let timelineLoad = 0;

/** Shows the newest page of the timeline in `list`, and a "Load more" button while more follow. */
async function loadTimeline(list: HTMLElement) {
  const load = ++timelineLoad;
  const pages = client.chirpPages({ sort: "desc", limit: PAGE_SIZE, ...(author ? { authorId: author } : {}) });
  const more = h("button", { type: "button", class: "load-more" }, "Load more");
  const showNextPage = async (append: boolean) => {
    let page: Awaited<ReturnType<typeof pages.next>>;
    try {
      page = await pages.next();
    } catch (error) {
      return say(`Could not load chirps: ${(error as Error).message}`);
    }
    if (load !== timelineLoad) return;
    const chirps = page.done ? [] : page.value.chirps;
    const items = chirps.map((c) => chirpItem(c, list));
    list.parentElement?.querySelector(".load-more")?.remove();
    if (append) list.append(...items);
    else list.replaceChildren(...(items.length ? items : [h("li", { class: "meta" }, "No chirps yet")]));
    if (!page.done && page.value.next) list.after(more);
    else more.remove();
  };
  more.addEventListener("click", () => showNextPage(true));
  await showNextPage(false);
}

function chirpItem(c: ChirpBody, list: HTMLElement): HTMLElement {
  return h(
    "li",
    {},
    h("p", {}, c.body),
    h(
      "div",
      { class: "meta" },
      `${new Date(c.created_at).toLocaleString()} by `,
      h(
        "button",
        {
          type: "button",
          title: "Show this author's chirps",
          onclick: async () => {
            author = c.user_id;
            await showHome("");
          },
        },
        c.user_id === me?.id ? "you" : c.user_id.slice(0, 8),
      ),
      c.user_id === me?.id &&
        h(
          "button",
          {
            type: "button",
            onclick: async () => {
              const del = await client.rpc.api.chirps[":chirpID"].$delete({ param: { chirpID: c.id } });
              if (del.status !== 204) return say(`Not deleted: ${await errorOf(del)}`);
              say("Deleted");
              await loadTimeline(list);
            },
          },
          "Delete",
        ),
    ),
  );
}

async function loadSessions(list: HTMLElement) {
  const res = await client.rpc.api.sessions.$get();
  if (res.status !== 200) return;
  const sessions = await res.json();
  list.replaceChildren(
    ...sessions.map((s) =>
      h(
        "li",
        {},
        h("p", {}, s.current ? "This browser" : (s.user_agent ?? "Unknown device")),
        h(
          "div",
          { class: "meta" },
          `Since ${new Date(s.created_at).toLocaleString()}, last used ${new Date(s.last_used_at).toLocaleString()}`,
          h(
            "button",
            {
              type: "button",
              onclick: async () => {
                const ended = await client.rpc.api.sessions[":sessionID"].$delete({ param: { sessionID: s.id } });
                if (ended.status !== 204) return say(`Could not end it: ${await errorOf(ended)}`);
                if (s.current) return logOut();
                say("Session ended");
                await loadSessions(list);
              },
            },
            s.current ? "End this session" : "End session",
          ),
        ),
      ),
    ),
  );
}

function showAccount() {
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
          const json = { email: (email as HTMLInputElement).value, password: (password as HTMLInputElement).value };
          const res = await client.rpc.api.users.$put({ json });
          if (res.status !== 200) return say(`Not saved: ${await errorOf(res)}`);
          const user = await res.json();
          // A new password ends every session, this one included.
          if (!(await client.refresh())) return;
          if (me) me.email = user.email;
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

function showForgotPassword(prefill: string) {
  say("");
  const email = h("input", { type: "email", autocomplete: "username", required: true, value: prefill });
  main.replaceChildren(
    h(
      "form",
      {
        onsubmit: async (event: Event) => {
          event.preventDefault();
          const res = await client.anonymous.api["password-resets"].$post({
            json: { email: (email as HTMLInputElement).value },
          });
          if (res.status !== 202) return say(`Not sent: ${await errorOf(res)}`);
          // The same answer whether or not the address has an account.
          showLoggedOut("If an account has that address, a reset link is on its way. It works once, for 30 minutes.");
        },
      },
      h("h2", {}, "Forgot password"),
      h("p", {}, "We will mail a link to choose a new password."),
      ...field("Email", email),
      h(
        "div",
        { class: "toolbar" },
        h("button", { type: "submit" }, "Send reset link"),
        h("button", { type: "button", onclick: () => showLoggedOut() }, "Back"),
      ),
    ),
  );
}

/** The page a reset link opens (/app/reset-password#token=…). */
function showResetPassword(token: string) {
  say("");
  const password = h("input", { type: "password", autocomplete: "new-password", required: true });
  main.replaceChildren(
    h(
      "form",
      {
        onsubmit: async (event: Event) => {
          event.preventDefault();
          const json = { token, password: (password as HTMLInputElement).value };
          const res = await client.anonymous.api["password-resets"].confirm.$post({ json });
          if (res.status !== 204) return say(`Not reset: ${await errorOf(res)}`);
          showLoggedOut("Password reset: every session was logged out. Log in with the new password.");
        },
      },
      h("h2", {}, "Choose a new password"),
      ...field("New password", password),
      h("button", { type: "submit" }, "Reset password"),
    ),
  );
}

/**
 * The page a verification link opens (/app/verify-email#token=…): confirms on a button, never on
 * load, so a mail scanner that opens every link (and runs its scripts) confirms nothing.
 */
function showVerifyEmail(token: string) {
  say("");
  main.replaceChildren(
    h(
      "form",
      {
        onsubmit: async (event: Event) => {
          event.preventDefault();
          const res = await client.anonymous.api["email-verifications"].confirm.$post({ json: { token } });
          const message = res.status === 204 ? "Email address verified" : `Not verified: ${await errorOf(res)}`;
          await resume(message);
        },
      },
      h("h2", {}, "Confirm your email address"),
      h("p", {}, "Confirm that this address is yours, to finish setting up your Chirpy account."),
      h("button", { type: "submit" }, "Confirm my email"),
    ),
  );
}

/** The page the cancel link opens (/app/cancel-email-change#token=…): cancels on a button. */
function showCancelEmailChange(token: string) {
  say("");
  main.replaceChildren(
    h(
      "form",
      {
        onsubmit: async (event: Event) => {
          event.preventDefault();
          const res = await client.anonymous.api["email-changes"].cancel.$post({ json: { token } });
          if (res.status !== 204) return say(`Not cancelled: ${await errorOf(res)}`);
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

async function logOut() {
  try {
    await client.logout();
    channel?.postMessage("logged-out");
  } catch {
    say("Could not reach the server; still logged in");
  }
}

client.onSessionEnded((event) => {
  // A page opened without a session learns so by a refused refresh: nothing ended that it knew of.
  if (!me) return showLoggedOut();
  showLoggedOut(event.reason === "logged-out" ? "Logged out" : "Your session ended; log in again");
});

// Another tab logged in or out: follow it without a reload.
channel?.addEventListener("message", async (event) => {
  if (event.data === "logged-out" && me) await client.logout();
  if (event.data === "logged-in" && !me) await resume();
});

/** A page (re)load: the cookie, if any, says whether the user is still logged in. */
async function resume(message = "") {
  const token = await client.refresh().catch(() => null);
  if (!token) return showLoggedOut(message);
  me = { id: subjectOf(token), email: null, emailVerified: null };
  await showHome(message);
}

// A mail link carries its token in the fragment (never sent to a server); take it off the address
// bar and out of the history at once.
const linkToken = /^#token=([0-9a-f]{64})$/.exec(location.hash)?.[1];
if (location.hash) history.replaceState(null, "", location.pathname);
if (linkToken && location.pathname.endsWith("/reset-password")) showResetPassword(linkToken);
else if (linkToken && location.pathname.endsWith("/verify-email")) showVerifyEmail(linkToken);
else if (linkToken && location.pathname.endsWith("/cancel-email-change")) showCancelEmailChange(linkToken);
else await resume();
