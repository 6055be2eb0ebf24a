// The logged-in home page: post, the timeline a page at a time, and the sessions.

import type { ChirpBody } from "chirpy-edge/client";
import { field, h, render, type SayKind, say, sayRefused } from "../dom";
import { pseudonymOf, timeOf } from "../format";
import { announce, client, logOut, state } from "../session";
import { showAccount } from "./account";
import { showLoggedOut } from "./logged-out";

/** Chirps per timeline page ("Load more" reads the next). */
const PAGE_SIZE = 20;

/** Bumped by every (re)load of the timeline: a page that arrives for an older load is dropped. */
let timelineLoad = 0;

export async function showHome(message: string, kind: SayKind = "info") {
  const { me } = state;
  if (!me) return showLoggedOut();
  say(message, kind);
  const chirp = h("textarea", { name: "chirp", maxlength: 140, required: true });
  const timeline = h("ul", { "aria-label": "Timeline" });
  const sessions = h("ul", { "aria-label": "Sessions" });
  const { author } = state;
  const show = h(
    "select",
    {
      onchange: async (event: Event) => {
        const choice = (event.target as HTMLSelectElement).value;
        state.author = choice === "all" ? null : choice;
        await loadTimeline(timeline);
      },
    },
    h("option", { value: "all", selected: author === null }, "Everyone"),
    h("option", { value: me.id, selected: author === me.id }, "Only mine"),
    author && author !== me.id ? h("option", { value: author, selected: true }, pseudonymOf(author)) : null,
  );
  render(
    h(
      "div",
      { class: "toolbar" },
      h("span", { class: "who" }, me.email ? `Logged in as ${me.email}` : "Logged in"),
      h("button", { type: "button", onclick: () => showAccount() }, "Account"),
      h("button", { type: "button", onclick: sayIfRefused(logOut) }, "Log out"),
    ),
    me.emailVerified !== false
      ? ""
      : h(
          "p",
          { class: "banner" },
          "Your email address is not verified yet: follow the link in the mail we sent. ",
          h(
            "button",
            {
              type: "button",
              onclick: async () => {
                const { error } = await client.rpc.POST("/api/email-verifications");
                if (error) return sayRefused("Not sent", error);
                say("A new verification mail is on its way");
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
          const { error } = await client.rpc.POST("/api/chirps", { body: { body: input.value } });
          if (error) return sayRefused("Not posted", error);
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
            const { error } = await client.rpc.DELETE("/api/sessions");
            if (error) return sayRefused("Could not end the sessions", error);
            await client.logout();
            announce("logged-out");
          },
        },
        "Log out everywhere",
      ),
    ),
  );
  await Promise.all([loadTimeline(timeline), loadSessions(sessions)]);
}

/** A handler that says, as an error, what `action` answers when it fails. */
const sayIfRefused = (action: () => Promise<string | null>) => async () => {
  const refused = await action();
  if (refused) say(refused, "error");
};

/** Shows the newest page of the timeline in `list`, and a "Load more" button while more follow. */
async function loadTimeline(list: HTMLElement) {
  const load = ++timelineLoad;
  const { author } = state;
  const pages = client.chirpPages({ sort: "desc", limit: PAGE_SIZE, ...(author ? { authorId: author } : {}) });
  const more = h("button", { type: "button", class: "load-more" }, "Load more");
  const showNextPage = async (append: boolean) => {
    let page: Awaited<ReturnType<typeof pages.next>>;
    try {
      page = await pages.next();
    } catch (error) {
      return say(`Could not load chirps: ${(error as Error).message}`, "error");
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
  const mine = c.user_id === state.me?.id;
  return h(
    "li",
    {},
    h("p", {}, c.body),
    h(
      "div",
      { class: "meta" },
      timeOf(c.created_at),
      " by ",
      h(
        "button",
        {
          type: "button",
          class: "link",
          title: "Show this author's chirps",
          onclick: async () => {
            state.author = c.user_id;
            await showHome("");
          },
        },
        mine ? "you" : pseudonymOf(c.user_id),
      ),
      mine &&
        h(
          "button",
          {
            type: "button",
            onclick: async () => {
              const { error } = await client.rpc.DELETE("/api/chirps/{chirpID}", {
                params: { path: { chirpID: c.id } },
              });
              if (error) return sayRefused("Not deleted", error);
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
  const { data: sessions } = await client.rpc.GET("/api/sessions");
  if (!sessions) return;
  list.replaceChildren(
    ...sessions.map((s) =>
      h(
        "li",
        {},
        h("p", {}, s.current ? "This browser" : (s.user_agent ?? "Unknown device")),
        h(
          "div",
          { class: "meta" },
          "Since ",
          timeOf(s.created_at),
          ", last used ",
          timeOf(s.last_used_at),
          h(
            "button",
            {
              type: "button",
              onclick: async () => {
                const { error } = await client.rpc.DELETE("/api/sessions/{sessionID}", {
                  params: { path: { sessionID: s.id } },
                });
                if (error) return sayRefused("Could not end it", error);
                if (s.current) return sayIfRefused(logOut)();
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
