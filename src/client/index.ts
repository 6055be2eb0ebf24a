// A typed client for chirpy-edge: openapi-fetch over the types openapi-typescript generates from the
// API's own OpenAPI document (./api.ts), with the refresh dance as its middleware: it attaches the
// access token, refreshes it shortly before expiry or once after a 401 invalid_access_token, with
// one refresh in flight at a time (concurrent callers wait for the same one), keeps the rotated
// refresh token in a pluggable store, and reports "session ended" as one typed event.
// In cookie mode (browser apps) the refresh token is an HttpOnly cookie this code never sees, the
// access token lives in memory only, and one refresh runs at a time across the origin's tabs.
// Runs anywhere with fetch (browsers, Workers, Node 18+). Imports no server code at run time.

import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, paths } from "./api";

export type { components, paths };

/** The typed API: openapi-fetch over the document's paths, `api.POST("/api/chirps", { body })`. */
export type ChirpyApi = Client<paths>;

/** An error answer: the message for people, and the code to branch on (one of the document's). */
export type ApiError = components["schemas"]["Error"];
/** The stable codes of every error answer. */
export type ErrorCode = ApiError["code"];

export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/** Where the tokens live between calls (memory, localStorage, a keychain…). */
export interface TokenStore {
  get(): Tokens | null | Promise<Tokens | null>;
  set(tokens: Tokens | null): void | Promise<void>;
}

/** A store in memory, for one process or tab. */
export function memoryStore(initial: Tokens | null = null): TokenStore {
  let tokens = initial;
  return {
    get: () => tokens,
    set: (next) => {
      tokens = next;
    },
  };
}

export interface SessionEndedEvent {
  type: "session-ended";
  /** "refresh-refused": the server refused the refresh token (revoked, expired, reused); "logged-out": logout(). */
  reason: "refresh-refused" | "logged-out";
}

export interface ChirpyClientOptions {
  baseUrl: string;
  /**
   * "bearer" (default): the client holds both tokens, in `store`. "cookie" (browser apps): the
   * server keeps the refresh token in an HttpOnly cookie (sent with `credentials: "include"` and
   * `X-Chirpy-Session: cookie`), the access token stays in this client's memory, `store` is unused,
   * and a reloaded page is still logged in through the cookie.
   */
  session?: "bearer" | "cookie";
  store?: TokenStore;
  fetch?: typeof fetch;
  /**
   * Refresh when the access token expires within this many seconds (default 60), or within half
   * its lifetime when that is shorter (a 30 s token is refreshed after 15 s, not on every call).
   */
  refreshLeewaySeconds?: number;
  /** Milliseconds since the epoch (default Date.now); injectable for tests. */
  now?: () => number;
  /**
   * The WebAuthn ceremonies, JSON in and out (default: the browser's navigator.credentials, with
   * PublicKeyCredential.parseCreationOptionsFromJSON / parseRequestOptionsFromJSON and toJSON()).
   * Injectable for tests and for platforms with their own authenticator API.
   */
  passkeyCeremonies?: PasskeyCeremonies;
}

/** A passkey as the API lists it. */
export type PasskeyBody = components["schemas"]["Passkey"];
/** GET /api/users/me's answer: the user, how many passkeys sign in to it, its two-factor state. */
export type MeBody = components["schemas"]["Me"];
type CreationOptionsJSON = components["schemas"]["PasskeyCreationOptions"];
type RequestOptionsJSON = components["schemas"]["PasskeyRequestOptions"];
type RegistrationResponseJSON = components["schemas"]["PasskeyRegistration"]["credential"];
type AuthenticationResponseJSON = components["schemas"]["PasskeyAssertion"]["credential"];

export interface PasskeyCeremonies {
  create(options: CreationOptionsJSON): Promise<RegistrationResponseJSON>;
  get(
    options: RequestOptionsJSON,
    how: { autofill?: boolean; signal?: AbortSignal },
  ): Promise<AuthenticationResponseJSON>;
}

/**
 * Why a passkey ceremony did not happen: "unsupported" (no WebAuthn, or no JSON support, in this
 * browser), "cancelled" (the user closed the dialog, or no passkey was chosen), "refused" (the
 * server refused the options or the passkey; the message says why), "failed" (anything else).
 */
export class PasskeyError extends Error {
  constructor(
    readonly reason: "unsupported" | "cancelled" | "refused" | "failed",
    message: string,
  ) {
    super(message);
    this.name = "PasskeyError";
  }
}

/** The parts of the browser's WebAuthn API the default ceremonies use (WebAuthn Level 3 JSON). */
interface BrowserPublicKeyCredential {
  parseCreationOptionsFromJSON(options: unknown): unknown;
  parseRequestOptionsFromJSON(options: unknown): unknown;
}
interface BrowserCredentials {
  create(options: { publicKey: unknown }): Promise<unknown>;
  get(options: { publicKey: unknown; signal?: AbortSignal; mediation?: "conditional" }): Promise<unknown>;
}

function browserCeremonies(): PasskeyCeremonies {
  const webauthn = () => {
    const api = (globalThis as { PublicKeyCredential?: Partial<BrowserPublicKeyCredential> }).PublicKeyCredential;
    const credentials = (globalThis as { navigator?: { credentials?: BrowserCredentials } }).navigator?.credentials;
    if (!api?.parseCreationOptionsFromJSON || !api.parseRequestOptionsFromJSON || !credentials) {
      throw new PasskeyError("unsupported", "This browser cannot use passkeys here");
    }
    return { api: api as BrowserPublicKeyCredential, credentials };
  };
  const run = async <T>(ceremony: () => Promise<unknown>): Promise<T> => {
    try {
      const credential = await ceremony();
      if (!credential) throw new PasskeyError("cancelled", "No passkey was chosen");
      return (credential as unknown as { toJSON(): T }).toJSON();
    } catch (error) {
      if (error instanceof PasskeyError) throw error;
      const name = (error as { name?: string }).name;
      if (name === "NotAllowedError" || name === "AbortError") {
        throw new PasskeyError("cancelled", "The passkey dialog was closed or timed out");
      }
      if (name === "InvalidStateError") throw new PasskeyError("refused", "This device already has a passkey here");
      throw new PasskeyError("failed", (error as Error).message ?? "The passkey ceremony failed");
    }
  };
  return {
    create(options) {
      const { api, credentials } = webauthn();
      return run(() => credentials.create({ publicKey: api.parseCreationOptionsFromJSON(options) }));
    },
    get(options, how) {
      const { api, credentials } = webauthn();
      const publicKey = api.parseRequestOptionsFromJSON(options);
      return run(() =>
        credentials.get({
          publicKey,
          signal: how.signal,
          ...(how.autofill ? { mediation: "conditional" as const } : {}),
        }),
      );
    },
  };
}

/** The claims of a JWT (not verified: only the server can), or null when it is not a JWT. */
export function claimsOf(jwt: string): Record<string, unknown> | null {
  try {
    const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(atob(part + "=".repeat((4 - (part.length % 4)) % 4)));
    return typeof claims === "object" && claims !== null ? claims : null;
  } catch {
    return null;
  }
}

/** A JWT's lifetime in milliseconds (`exp - iat`), or null when it has none or is not a JWT. */
function lifetimeOf(jwt: string): number | null {
  const { exp, iat } = claimsOf(jwt) ?? {};
  return typeof exp === "number" && typeof iat === "number" ? (exp - iat) * 1000 : null;
}

/** An error answer's body, or a stand-in with the status when it is not one of ours (a proxy's page). */
async function errorOf(res: Response): Promise<ApiError> {
  return apiErrorOr(await res.json().catch(() => null), res.status);
}

/**
 * A parsed error body when it is the API's, else a stand-in: something between the app and the
 * API answered (a gateway's 502/504, a CDN's page, wrangler dev's proxy losing a request), and
 * saying so beats a bare status. A 5xx says to try again: the API itself always answers with a body.
 */
function apiErrorOr(body: unknown, status: number): ApiError {
  const error = body as Partial<ApiError> | null;
  if (typeof error?.error === "string" && typeof error.code === "string") return error as ApiError;
  return status >= 500
    ? { error: `The API did not answer (HTTP ${status} from something in between); try again`, code: "internal_error" }
    : { error: `HTTP ${status}`, code: "bad_request" };
}

/** What a login answers (in cookie mode without `refresh_token`). */
export type LoginBody = components["schemas"]["Login"];

/** A refused login: the server's error, its status, and for a 429 the seconds to wait. */
export interface LoginRefusal extends ApiError {
  status: number;
  retryAfter: number | null;
}

/** A login's outcome: the body, or why it was refused (branch on `code`). */
export type LoginOutcome = { ok: true; body: LoginBody } | { ok: false; refusal: LoginRefusal } | SecondStepRequired;

/**
 * A right password of an account with two-factor authentication on: no session yet. Finish it
 * with completeMfaLogin({ mfaToken, code }) (or `recoveryCode`) within five minutes.
 */
export interface SecondStepRequired {
  ok: false;
  mfaRequired: true;
  mfaToken: string;
  methods: ("totp" | "recovery_code")[];
  /** The 403 itself (code mfa_required), so every refused outcome has a `refusal`. */
  refusal: LoginRefusal;
}

/** A chirp as the API answers it. */
export type ChirpBody = components["schemas"]["Chirp"];

/** One page of the timeline, and the URL of the next one (null: none follows). */
export interface ChirpPage {
  chirps: ChirpBody[];
  next: string | null;
}

/** Which timeline to read, and how many chirps a page holds (1–1000; the server's default is 1000). */
export interface ChirpPagesOptions {
  sort?: "asc" | "desc";
  authorId?: string;
  limit?: number;
}

/** The target of a Link header's rel="next" (RFC 8288), resolved against the request's URL. */
function nextLinkOf(res: Response, requestUrl: string): string | null {
  const match = /<([^>]*)>\s*;\s*rel="?next"?/.exec(res.headers.get("Link") ?? "");
  return match ? new URL(match[1], requestUrl).href : null;
}

/** How the tokens travel: the refresh token in the store (bearer) or in the HttpOnly cookie. */
interface Transport {
  accessToken(): Promise<string | null>;
  /** The refresh (or revoke) request's credentials; null when there is nothing to present. */
  refreshInit(): Promise<RequestInit | null>;
  /** Keeps what a login or refresh answered. */
  keep(body: { token: string; refresh_token?: string }): Promise<void>;
  forget(): Promise<void>;
  /** Runs a refresh, exclusively across the origin's tabs where the transport needs it. */
  exclusive<T>(run: () => Promise<T>): Promise<T>;
}

const COOKIE_MODE_HEADERS = { "X-Chirpy-Session": "cookie" };
/** The codes that say a refresh (or revoke) presented nothing that opens a session any more. */
const SESSION_OVER = new Set<string>(["invalid_refresh_token", "missing_session_cookie", "missing_bearer"]);
// `credentials` is a browser fetch option (the Workers runtime's types lack it, and its fetch
// refuses it): the cookie-mode requests' init, typed as the browser's RequestInit has it.
const INCLUDE_CREDENTIALS = { credentials: "include" } as RequestInit;

/** The part of the Web Locks API (navigator.locks) used here. */
interface Locks {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

function bearerTransport(store: TokenStore): Transport {
  return {
    accessToken: async () => (await store.get())?.accessToken ?? null,
    async refreshInit() {
      const tokens = await store.get();
      return tokens ? { headers: { Authorization: `Bearer ${tokens.refreshToken}` } } : null;
    },
    async keep(body) {
      // With rotation on the server returns a successor; without, the refresh token stays.
      const refreshToken = body.refresh_token ?? (await store.get())?.refreshToken;
      if (refreshToken) await store.set({ accessToken: body.token, refreshToken });
    },
    forget: () => Promise.resolve(store.set(null)),
    exclusive: (run) => run(),
  };
}

function cookieTransport(base: string): Transport {
  let accessToken: string | null = null;
  // Web Locks (browsers): one refresh at a time across every tab of the origin, so tabs never
  // race each other's rotation; elsewhere the in-tab single flight is all there is.
  const locks = (globalThis as { navigator?: { locks?: Locks } }).navigator?.locks;
  return {
    accessToken: () => Promise.resolve(accessToken),
    refreshInit: () => Promise.resolve({ ...INCLUDE_CREDENTIALS, headers: COOKIE_MODE_HEADERS }),
    async keep(body) {
      accessToken = body.token;
    },
    async forget() {
      accessToken = null;
    },
    exclusive: (run) => (locks ? locks.request(`chirpy-edge refresh ${base}`, run) : run()),
  };
}

export interface ChirpyClient {
  /**
   * The typed API (openapi-fetch), tokens attached: `const { data, error } = await
   * rpc.POST("/api/chirps", { body: { body: "hi" } })`; `error.code` is one the operation documents.
   */
  rpc: ChirpyApi;
  /**
   * The same typed API without credentials, for calls that need none and must not refresh a
   * session first (sign-up, password reset, email verification).
   */
  anonymous: ChirpyApi;
  /**
   * Refreshes the access token; concurrent callers share one request. Null when there is no live
   * session (in cookie mode: how a reloaded page learns whether it is still logged in).
   */
  refresh(): Promise<string | null>;
  /**
   * Logs in and keeps the tokens: `{ ok: true, body }`; `{ ok: false, mfaRequired: true, mfaToken,
   * methods }` when the account has two-factor authentication on (then completeMfaLogin()); or
   * `{ ok: false, refusal }` with the server's code (`incorrect_credentials`, `too_many_logins` with
   * `retryAfter`, `email_not_verified`…).
   */
  login(email: string, password: string): Promise<LoginOutcome>;
  /**
   * Revokes the refresh token (ending the session server-side), then forgets the tokens. A 2xx
   * or a 401 (the server refuses what the store holds) ends the session here too; a network
   * error or any other status rejects and keeps the tokens, so the caller can retry.
   */
  logout(): Promise<void>;
  /**
   * The second step of a login that answered `mfaRequired`: the mfa_token with a code from the
   * authenticator app, or a recovery code. Answers as login() does.
   */
  completeMfaLogin(step: { mfaToken: string; code?: string; recoveryCode?: string }): Promise<LoginOutcome>;
  /**
   * Signs in with a passkey (in a browser: navigator.credentials.get()), as login() answers. With
   * `autofill`, the browser offers the passkeys in the Email field's autofill (conditional
   * mediation) instead of a dialog; abort it with `signal` before starting another ceremony.
   * Rejects with a PasskeyError when the browser has no passkeys, the user cancels, or the
   * options are refused.
   */
  loginWithPasskey(options?: { autofill?: boolean; signal?: AbortSignal }): Promise<LoginOutcome>;
  /**
   * The logged-in user's two-factor authentication: start (the password again → the secret and its
   * otpauth URI), confirm (a code → ten recovery codes, shown once), new recovery codes, turn off.
   * Each rejects with the server's message when refused.
   */
  mfa: {
    start(password: string): Promise<{ secret: string; otpauth_uri: string }>;
    confirm(code: string): Promise<string[]>;
    newRecoveryCodes(code: string): Promise<string[]>;
    turnOff(code: string): Promise<void>;
  };
  /** The logged-in user's passkeys: add one (the browser creates it), list them, remove one. */
  passkeys: {
    register(options?: { name?: string }): Promise<PasskeyBody>;
    list(): Promise<PasskeyBody[]>;
    remove(id: string): Promise<void>;
  };
  /**
   * Who is logged in (GET /api/users/me): the user, their passkey count and two-factor state; null
   * without a live session (the access token refreshed first where needed, as every call).
   */
  me(): Promise<MeBody | null>;
  /** Subscribes to "session ended"; returns the unsubscribe function. */
  onSessionEnded(listener: (event: SessionEndedEvent) => void): () => void;
  /**
   * The timeline a page at a time, following the server's Link rel="next" until no page follows:
   * `for await (const { chirps } of client.chirpPages({ sort: "desc", limit: 50 }))`. Each page
   * says whether another follows (`next`), so a UI knows whether to offer "Load more". A refused
   * page (a 4xx) rejects with the server's message; a next link to another origin is not followed.
   */
  chirpPages(options?: ChirpPagesOptions): AsyncGenerator<ChirpPage, void, undefined>;
}

/**
 * How wrangler dev (`npm start`) answers, as a 503 with `Retry-After: 0`, when it lost a request on
 * its way to the Worker, which never saw it: mostly a pooled connection that the Worker's runtime
 * closed after 5 s idle as the request was written to it (cloudflare/workers-sdk#14641). It retries
 * GET and HEAD itself; no deployed Worker answers this.
 */
const DEV_SERVER_LOST = "Your worker restarted mid-request.";

/** `fetchFn`, sending a request again once when the local dev server says it lost it. */
function resendingLost(fetchFn: typeof fetch): typeof fetch {
  return async (input, init) => {
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    if (method === "GET" || method === "HEAD") return fetchFn(input, init);
    // A Request's body can be read once: keep a copy to send again (client bodies are small JSON).
    const again = input instanceof Request ? input.clone() : input;
    const res = await fetchFn(input, init);
    const lost =
      res.status === 503 &&
      res.headers.get("Retry-After") === "0" &&
      (await res.clone().text()).startsWith(DEV_SERVER_LOST);
    return lost ? fetchFn(again, init) : res;
  };
}

export function createChirpyClient(options: ChirpyClientOptions): ChirpyClient {
  const baseFetch = resendingLost(options.fetch ?? ((input, init) => fetch(input, init)));
  const now = options.now ?? Date.now;
  const leewayMs = (options.refreshLeewaySeconds ?? 60) * 1000;
  const base = options.baseUrl.replace(/\/$/, "");
  const cookieMode = options.session === "cookie";
  const transport = cookieMode ? cookieTransport(base) : bearerTransport(options.store ?? memoryStore());
  const listeners = new Set<(event: SessionEndedEvent) => void>();
  let inflight: Promise<string | null> | null = null;
  // Cookie mode: whether a cookie may be there to try. A new page does not know until it asks; a
  // refused refresh or a logout says no (calls then go out without a token) until the next login
  // or an explicit refresh().
  let mayHoldCookie = cookieMode;
  // When to refresh each access token by this device's clock: its lifetime (exp - iat) counted
  // from when it arrived, so a device clock hours off neither refreshes early nor late. A token from
  // the store that this client did not receive (a reload) is used until the server refuses it.
  const refreshAtByToken = new Map<string, number>();
  const received = async (body: { token: string; refresh_token?: string }) => {
    refreshAtByToken.clear();
    const lifetime = lifetimeOf(body.token);
    if (lifetime !== null) refreshAtByToken.set(body.token, now() + lifetime - Math.min(leewayMs, lifetime / 2));
    await transport.keep(body);
  };
  // Bumped by logout and by a refused refresh: a refresh that started before must not store
  // tokens afterwards (a refresh racing a logout would otherwise log the user back in).
  let generation = 0;

  const endSession = async (reason: SessionEndedEvent["reason"]) => {
    generation++;
    mayHoldCookie = false;
    await transport.forget();
    for (const listener of listeners) listener({ type: "session-ended", reason });
  };

  async function runRefresh(): Promise<string | null> {
    const started = generation;
    const init = await transport.refreshInit();
    if (!init) return null;
    const res = await transport.exclusive(() => baseFetch(`${base}/api/refresh`, { ...init, method: "POST" }));
    if (!res.ok) {
      const { code, error } = await errorOf(res);
      // The token (or cookie) opens nothing any more: the session is over. Anything else (a 5xx, a
      // network's page) may pass: the session is kept and the caller may retry.
      if (SESSION_OVER.has(code)) {
        if (started === generation) await endSession("refresh-refused");
        return null;
      }
      throw new Error(`refresh failed with status ${res.status} (${code}): ${error}`);
    }
    const body = (await res.json()) as { token: string; refresh_token?: string };
    if (started !== generation) return null;
    await received(body);
    return body.token;
  }

  /** Refreshes the access token; concurrent callers share one request. Null when the session ended. */
  function refresh(): Promise<string | null> {
    inflight ??= runRefresh().finally(() => {
      inflight = null;
    });
    return inflight;
  }

  async function currentAccessToken(): Promise<string | null> {
    if (inflight) return inflight;
    const token = await transport.accessToken();
    if (!token) return mayHoldCookie ? refresh() : null;
    const refreshAt = refreshAtByToken.get(token);
    return refreshAt !== undefined && refreshAt <= now() ? refresh() : token;
  }

  // The refresh dance as openapi-fetch middleware: the token goes on each request (refreshed first
  // when due), and a 401 invalid_access_token is refreshed once and retried once with the new token.
  const sent = new Map<string, Request>();
  const refreshDance: Middleware = {
    async onRequest({ request, id }) {
      if (request.headers.has("Authorization")) return undefined;
      const token = await currentAccessToken();
      if (!token) return undefined;
      request.headers.set("Authorization", `Bearer ${token}`);
      // A copy to retry with: the request's own body is spent once it is sent.
      sent.set(id, request.clone());
      return request;
    },
    async onResponse({ response, id }) {
      const copy = sent.get(id);
      sent.delete(id);
      if (!copy || response.status !== 401) return undefined;
      if ((await errorOf(response.clone())).code !== "invalid_access_token") return undefined;
      const fresh = await refresh();
      if (!fresh) return undefined;
      copy.headers.set("Authorization", `Bearer ${fresh}`);
      return baseFetch(copy);
    },
    onError({ id }) {
      sent.delete(id);
    },
  };

  /** POSTs a login (password or passkey) and keeps the session it opens; a refusal says why. */
  async function logInWith(path: string, body: unknown): Promise<LoginOutcome> {
    const res = await baseFetch(`${base}${path}`, {
      ...modeInit,
      method: "POST",
      headers: { "Content-Type": "application/json", ...modeHeaders },
      body: JSON.stringify(body),
    });
    if (!res.ok) {
      const retryAfter = Number(res.headers.get("Retry-After")) || null;
      const refused = (await res.json().catch(() => null)) as
        | (Partial<ApiError> & { mfa_token?: string; methods?: SecondStepRequired["methods"] })
        | null;
      if (refused?.code === "mfa_required" && refused.mfa_token) {
        return {
          ok: false,
          mfaRequired: true,
          mfaToken: refused.mfa_token,
          methods: refused.methods ?? ["totp"],
          refusal: {
            error: refused.error ?? "A second factor is required",
            code: "mfa_required",
            status: 403,
            retryAfter,
          },
        };
      }
      return { ok: false, refusal: { ...apiErrorOr(refused, res.status), status: res.status, retryAfter } };
    }
    const login = (await res.json()) as LoginBody;
    generation++;
    mayHoldCookie = cookieMode;
    await received(login);
    return { ok: true, body: login };
  }

  /** A JSON answer's body, or a PasskeyError with the server's message. */
  async function answered<T>(res: Response): Promise<T> {
    if (!res.ok) throw new PasskeyError("refused", (await errorOf(res)).error);
    return (await res.json()) as T;
  }

  const ceremonies = options.passkeyCeremonies ?? browserCeremonies();
  const rpc: ChirpyApi = createClient<paths>({ baseUrl: base, fetch: baseFetch });
  rpc.use(refreshDance);
  const anonymous: ChirpyApi = createClient<paths>({ baseUrl: base, fetch: baseFetch });
  const modeInit = cookieMode ? INCLUDE_CREDENTIALS : {};
  const modeHeaders = cookieMode ? COOKIE_MODE_HEADERS : {};

  return {
    rpc,
    anonymous,
    refresh(): Promise<string | null> {
      if (cookieMode) mayHoldCookie = true;
      return refresh();
    },
    login: (email: string, password: string) => logInWith("/api/login", { email, password }),
    completeMfaLogin: ({ mfaToken, code, recoveryCode }) =>
      logInWith("/api/login/mfa", {
        mfa_token: mfaToken,
        ...(code !== undefined ? { code } : { recovery_code: recoveryCode }),
      }),
    async loginWithPasskey(options: { autofill?: boolean; signal?: AbortSignal } = {}) {
      const requestOptions = await answered<RequestOptionsJSON>(
        await baseFetch(`${base}/api/passkeys/authentication-options`, { method: "POST" }),
      );
      const credential = await ceremonies.get(requestOptions, options);
      return logInWith("/api/login/passkey", { credential });
    },
    mfa: {
      async start(password: string) {
        const { data, error } = await rpc.POST("/api/mfa/totp", { body: { password } });
        if (error) throw new Error(error.error);
        return data;
      },
      async confirm(code: string) {
        const { data, error } = await rpc.POST("/api/mfa/totp/confirm", { body: { code } });
        if (error) throw new Error(error.error);
        return data.recovery_codes;
      },
      async newRecoveryCodes(code: string) {
        const { data, error } = await rpc.POST("/api/mfa/recovery-codes", { body: { code } });
        if (error) throw new Error(error.error);
        return data.recovery_codes;
      },
      async turnOff(code: string) {
        const { error } = await rpc.DELETE("/api/mfa/totp", { body: { code } });
        if (error) throw new Error(error.error);
      },
    },
    passkeys: {
      async register({ name }: { name?: string } = {}) {
        const { data: creationOptions, error } = await rpc.POST("/api/passkeys/registration-options");
        if (error) throw new PasskeyError("refused", error.error);
        const credential = await ceremonies.create(creationOptions);
        const added = await rpc.POST("/api/passkeys", { body: { credential, ...(name ? { name } : {}) } });
        if (added.error) throw new PasskeyError("refused", added.error.error);
        return added.data;
      },
      async list() {
        const { data, error } = await rpc.GET("/api/passkeys");
        if (error) throw new PasskeyError("refused", error.error);
        return data;
      },
      async remove(id: string) {
        const { error } = await rpc.DELETE("/api/passkeys/{passkeyID}", { params: { path: { passkeyID: id } } });
        if (error) throw new PasskeyError("refused", error.error);
      },
    },
    async logout() {
      const init = await transport.refreshInit();
      if (init) {
        const res = await baseFetch(`${base}/api/revoke`, { ...init, method: "POST" });
        if (!res.ok && !SESSION_OVER.has((await errorOf(res)).code)) {
          throw new Error(`logout failed with status ${res.status}; still logged in`);
        }
      }
      await endSession("logged-out");
    },
    async me() {
      if (!(await currentAccessToken())) return null;
      const { data } = await rpc.GET("/api/users/me");
      return data ?? null;
    },
    onSessionEnded(listener: (event: SessionEndedEvent) => void) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async *chirpPages(pages: ChirpPagesOptions = {}) {
      const query = new URLSearchParams();
      if (pages.sort) query.set("sort", pages.sort);
      if (pages.authorId) query.set("author_id", pages.authorId);
      if (pages.limit !== undefined) query.set("limit", String(pages.limit));
      const origin = new URL(base).origin;
      let next: string | null = `${base}/api/chirps${query.size ? `?${query}` : ""}`;
      while (next !== null) {
        const res = await baseFetch(next);
        if (res.status !== 200)
          throw new Error(`GET /api/chirps answered ${res.status}: ${(await errorOf(res)).error}`);
        const link = nextLinkOf(res, next);
        next = link !== null && new URL(link).origin === origin ? link : null;
        yield { chirps: (await res.json()) as ChirpBody[], next };
      }
    },
  };
}
