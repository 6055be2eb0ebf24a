// A typed client for chirpy-edge on top of Hono's RPC client (hc<AppType>) that does the refresh
// dance right: it attaches the access token, refreshes it shortly before expiry or once after a
// 401, with one refresh in flight at a time (concurrent callers wait for the same one), keeps the
// rotated refresh token in a pluggable store, and reports "session ended" as one typed event.
// In cookie mode (browser apps) the refresh token is an HttpOnly cookie this code never sees, the
// access token lives in memory only, and one refresh runs at a time across the origin's tabs.
// Runs anywhere with fetch (browsers, Workers, Node 18+). Imports no server code at run time.

import { hc } from "hono/client";
import type { AppType } from "./api";

export type { AppType };

/** The typed API: Hono's hc client over the app's routes. */
export type ChirpyApi = ReturnType<typeof hc<AppType>>;

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
}

/** A JWT's lifetime in milliseconds (`exp - iat`), or null when it has none or is not a JWT. */
function lifetimeOf(jwt: string): number | null {
  try {
    const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const { exp, iat } = JSON.parse(atob(part + "=".repeat((4 - (part.length % 4)) % 4)));
    return typeof exp === "number" && typeof iat === "number" ? (exp - iat) * 1000 : null;
  } catch {
    return null;
  }
}

/** What a login answers (in cookie mode without `refresh_token`). */
export interface LoginBody {
  id: string;
  created_at: string;
  updated_at: string;
  email: string;
  is_chirpy_red: boolean;
  email_verified: boolean;
  token: string;
  refresh_token?: string;
}

/** A chirp as the API answers it. */
export interface ChirpBody {
  id: string;
  created_at: string;
  updated_at: string;
  body: string;
  user_id: string;
}

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
  /** The typed API (Hono's hc<AppType>), tokens attached: `rpc.api.chirps.$post({ json })`. */
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
  /** Logs in and keeps the tokens; returns the response body, or null for a refused login. */
  login(email: string, password: string): Promise<LoginBody | null>;
  /**
   * Revokes the refresh token (ending the session server-side), then forgets the tokens. A 2xx
   * or a 401 (the server refuses what the store holds) ends the session here too; a network
   * error or any other status rejects and keeps the tokens, so the caller can retry.
   */
  logout(): Promise<void>;
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

export function createChirpyClient(options: ChirpyClientOptions): ChirpyClient {
  const baseFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
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
    if (res.status === 401) {
      if (started === generation) await endSession("refresh-refused");
      return null;
    }
    if (!res.ok) throw new Error(`refresh failed with status ${res.status}`);
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

  /** fetch with the access token attached, refreshed and retried once after a 401. */
  async function authorizedFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (headers.has("Authorization")) return baseFetch(input, init);
    const token = await currentAccessToken();
    if (token) headers.set("Authorization", `Bearer ${token}`);
    const res = await baseFetch(input, { ...init, headers });
    const refused = res.status === 401 && res.headers.get("WWW-Authenticate")?.includes("invalid_token");
    if (!token || !refused || init.body instanceof ReadableStream) return res;
    const fresh = await refresh();
    if (!fresh) return res;
    headers.set("Authorization", `Bearer ${fresh}`);
    return baseFetch(input, { ...init, headers });
  }

  const rpc: ChirpyApi = hc<AppType>(base, { fetch: authorizedFetch });
  const anonymous: ChirpyApi = hc<AppType>(base, { fetch: baseFetch });
  const modeInit = cookieMode ? INCLUDE_CREDENTIALS : {};
  const modeHeaders = cookieMode ? COOKIE_MODE_HEADERS : {};

  return {
    rpc,
    anonymous,
    refresh(): Promise<string | null> {
      if (cookieMode) mayHoldCookie = true;
      return refresh();
    },
    async login(email: string, password: string) {
      const res = await baseFetch(`${base}/api/login`, {
        ...modeInit,
        method: "POST",
        headers: { "Content-Type": "application/json", ...modeHeaders },
        body: JSON.stringify({ email, password }),
      });
      if (!res.ok) return null;
      const body = (await res.json()) as LoginBody;
      generation++;
      mayHoldCookie = cookieMode;
      await received(body);
      return body;
    },
    async logout() {
      const init = await transport.refreshInit();
      if (init) {
        const res = await baseFetch(`${base}/api/revoke`, { ...init, method: "POST" });
        if (!res.ok && res.status !== 401) throw new Error(`logout failed with status ${res.status}; still logged in`);
      }
      await endSession("logged-out");
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
        if (res.status !== 200) {
          const error = ((await res.json().catch(() => null)) as { error?: string } | null)?.error;
          throw new Error(`GET /api/chirps answered ${res.status}${error ? `: ${error}` : ""}`);
        }
        const link = nextLinkOf(res, next);
        next = link !== null && new URL(link).origin === origin ? link : null;
        yield { chirps: (await res.json()) as ChirpBody[], next };
      }
    },
  };
}
