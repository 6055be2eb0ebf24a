// A typed client for chirpy-edge on top of Hono's RPC client (hc<AppType>) that does the refresh
// dance right: it attaches the access token, refreshes it shortly before expiry or once after a
// 401, with one refresh in flight at a time (concurrent callers wait for the same one), keeps the
// rotated refresh token in a pluggable store, and reports "session ended" as one typed event.
// Runs anywhere with fetch (browsers, Workers, Node 18+). Imports no server code at run time.

import { hc } from "hono/client";
import type { AppType } from "./api";

export type { AppType };

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
  store?: TokenStore;
  fetch?: typeof fetch;
  /** Refresh when the access token expires within this many seconds (default 60). */
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

export function createChirpyClient(options: ChirpyClientOptions) {
  const baseFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const store = options.store ?? memoryStore();
  const now = options.now ?? Date.now;
  const leewayMs = (options.refreshLeewaySeconds ?? 60) * 1000;
  const base = options.baseUrl.replace(/\/$/, "");
  const listeners = new Set<(event: SessionEndedEvent) => void>();
  let inflight: Promise<string | null> | null = null;
  // When each access token expires by this device's clock: its lifetime (exp - iat) counted from
  // when it arrived, so a device clock hours off neither refreshes early nor late. A token from the
  // store that this client did not receive (a reload) is used until the server refuses it.
  const expiresAtByToken = new Map<string, number>();
  const received = (accessToken: string) => {
    expiresAtByToken.clear();
    const lifetime = lifetimeOf(accessToken);
    if (lifetime !== null) expiresAtByToken.set(accessToken, now() + lifetime);
  };
  // Bumped by logout and by a refused refresh: a refresh that started before must not store
  // tokens afterwards (a refresh racing a logout would otherwise log the user back in).
  let generation = 0;

  const endSession = async (reason: SessionEndedEvent["reason"]) => {
    generation++;
    await store.set(null);
    for (const listener of listeners) listener({ type: "session-ended", reason });
  };

  async function runRefresh(): Promise<string | null> {
    const started = generation;
    const tokens = await store.get();
    if (!tokens) return null;
    const res = await baseFetch(`${base}/api/refresh`, {
      method: "POST",
      headers: { Authorization: `Bearer ${tokens.refreshToken}` },
    });
    if (res.status === 401) {
      if (started === generation) await endSession("refresh-refused");
      return null;
    }
    if (!res.ok) throw new Error(`refresh failed with status ${res.status}`);
    const body = (await res.json()) as { token: string; refresh_token?: string };
    if (started !== generation) return null;
    received(body.token);
    // With rotation on the server returns a successor; without, the refresh token stays.
    await store.set({ accessToken: body.token, refreshToken: body.refresh_token ?? tokens.refreshToken });
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
    const tokens = await store.get();
    if (!tokens) return null;
    const expiresAt = expiresAtByToken.get(tokens.accessToken);
    return expiresAt !== undefined && expiresAt - leewayMs <= now() ? refresh() : tokens.accessToken;
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

  const rpc = hc<AppType>(base, { fetch: authorizedFetch });

  return {
    /** The typed API (Hono's hc<AppType>), tokens attached: `rpc.api.chirps.$post({ json })`. */
    rpc,
    refresh,
    /** Logs in and keeps the tokens; returns the response body, or null for a refused login. */
    async login(email: string, password: string) {
      const res = await baseFetch(`${base}/api/login`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ email, password }),
      });
      if (!res.ok) return null;
      const body = (await res.json()) as { id: string; email: string; token: string; refresh_token: string };
      generation++;
      received(body.token);
      await store.set({ accessToken: body.token, refreshToken: body.refresh_token });
      return body;
    },
    /**
     * Revokes the refresh token (ending the session server-side), then forgets the tokens. A 2xx
     * or a 401 (the server refuses what the store holds) ends the session here too; a network
     * error or any other status rejects and keeps the tokens, so the caller can retry.
     */
    async logout() {
      const tokens = await store.get();
      if (tokens) {
        const res = await baseFetch(`${base}/api/revoke`, {
          method: "POST",
          headers: { Authorization: `Bearer ${tokens.refreshToken}` },
        });
        if (!res.ok && res.status !== 401) throw new Error(`logout failed with status ${res.status}; still logged in`);
      }
      await endSession("logged-out");
    },
    /** Subscribes to "session ended"; returns the unsubscribe function. */
    onSessionEnded(listener: (event: SessionEndedEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type ChirpyClient = ReturnType<typeof createChirpyClient>;
