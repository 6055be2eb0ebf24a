// Who is logged in, and the session's life across tabs: the shipped client in cookie mode (the
// refresh token is an HttpOnly cookie this code never sees, the access token lives in the client's
// memory only), one refresh at a time across tabs (Web Locks, in the client), and each tab hearing
// the others' log in and log out (BroadcastChannel).

import { type ChirpyClient, createChirpyClient, type LoginBody, PasskeyError } from "chirpy-edge/client";
import type { SayKind } from "./dom";

export const client: ChirpyClient = createChirpyClient({ baseUrl: location.origin, session: "cookie" });
const channel = "BroadcastChannel" in globalThis ? new BroadcastChannel("chirpy-edge session") : null;

export interface Me {
  id: string;
  email: string | null;
  /** From the login, or after a reload from GET /api/users/me. */
  emailVerified: boolean | null;
}

/** The logged-in user, or null; whose chirps the timeline shows: everyone's (null) or one author's. */
export const state: { me: Me | null; author: string | null } = { me: null, author: null };

/** What the views do when the session starts, resumes or ends (set by app.ts). */
export const screens = {
  home: async (_message: string, _kind?: SayKind) => {},
  loggedOut: (_message?: string, _kind?: SayKind) => {},
  secondStep: (_mfaToken: string) => {},
};

/** Tells the other tabs. */
export const announce = (event: "logged-in" | "logged-out") => channel?.postMessage(event);

/** Logs in; null, or why the server refused (said for each code the web app knows). */
export async function logIn(email: string, password: string): Promise<string | null> {
  const outcome = await client.login(email, password);
  if ("mfaRequired" in outcome) {
    screens.secondStep(outcome.mfaToken);
    return null;
  }
  if (!outcome.ok) {
    const { code, retryAfter } = outcome.refusal;
    switch (code) {
      case "incorrect_credentials":
        return "Log-in failed: incorrect email or password";
      case "too_many_logins":
        return `Log-in failed: too many attempts; try again in ${Math.ceil((retryAfter ?? 60) / 60)} min`;
      case "email_not_verified":
        return "Log-in failed: confirm your address first, through the link in the mail we sent";
      default:
        return `Log-in failed: ${outcome.refusal.error}`;
    }
  }
  await loggedIn(outcome.body);
  return null;
}

/** Signs in with a passkey (a dialog, or with `autofill` the Email field's suggestions); null, or why not. */
export async function logInWithPasskey(how: { autofill?: boolean; signal?: AbortSignal } = {}): Promise<string | null> {
  try {
    const outcome = await client.loginWithPasskey(how);
    if (!outcome.ok) {
      return outcome.refusal.code === "too_many_logins"
        ? "Passkey sign-in failed: too many attempts; try again later"
        : "Passkey sign-in failed: this passkey is not (or no longer) one of an account here";
    }
    await loggedIn(outcome.body);
    return null;
  } catch (error) {
    if (!(error instanceof PasskeyError)) throw error;
    // In the background (autofill) only a sign-in that happened is news.
    if (how.autofill && error.reason !== "refused") return null;
    switch (error.reason) {
      case "unsupported":
        return "This browser cannot use passkeys here: log in with your password";
      case "cancelled":
        return "Passkey sign-in cancelled";
      default:
        return `Passkey sign-in failed: ${error.message}`;
    }
  }
}

/** The second step of a login: a code from the authenticator app, or a recovery code; null, or why not. */
export async function completeSecondStep(step: { mfaToken: string; code?: string; recoveryCode?: string }) {
  const outcome = await client.completeMfaLogin(step);
  if (outcome.ok) {
    await loggedIn(outcome.body);
    return null;
  }
  if (outcome.refusal.code === "too_many_logins") {
    return "Too many wrong codes for this account; try again later";
  }
  return "That code is wrong or was already used (after five wrong codes, or five minutes, log in again with your password)";
}

async function loggedIn(body: LoginBody) {
  state.me = { id: body.id, email: body.email, emailVerified: body.email_verified };
  announce("logged-in");
  await screens.home("");
}

export async function logOut(): Promise<string | null> {
  try {
    await client.logout();
    announce("logged-out");
    return null;
  } catch {
    return "Could not reach the server; still logged in";
  }
}

/**
 * Whether this browser may hold a session: the server sets the readable hint
 * `__Host-chirpy_session_hint` beside the HttpOnly refresh cookie and clears both together. Without
 * it, a page load knows it is logged out without a refresh that would be refused (and logged).
 */
const mayHaveSession = () => document.cookie.split("; ").some((pair) => pair.startsWith("__Host-chirpy_session_hint="));

/** A page (re)load: the cookie, if any, says whether the user is still logged in. */
export async function resume(message = "", kind: SayKind = "info") {
  if (!mayHaveSession()) return screens.loggedOut(message, kind);
  // Who it is, from the server (a refresh first: after a reload the access token is gone).
  const user = await client.me().catch(() => null);
  if (!user) return screens.loggedOut(message, kind);
  state.me = { id: user.id, email: user.email, emailVerified: user.email_verified };
  await screens.home(message, kind);
}

client.onSessionEnded((event) => {
  // Nobody was logged in here: nothing ended that this page knew of, and whatever it shows stays
  // (a late 401 after a logout must not wipe a login form being filled; a page that finds no
  // session shows the login form itself, see resume()).
  if (!state.me) return;
  state.me = null;
  screens.loggedOut(event.reason === "logged-out" ? "Logged out" : "Your session ended; log in again");
});

// Another tab logged in or out: follow it without a reload.
channel?.addEventListener("message", async (event) => {
  if (event.data === "logged-out" && state.me) await client.logout();
  if (event.data === "logged-in" && !state.me) await resume();
});
