// The shipped client (src/client) against the real worker: one refresh in flight however many
// calls need it, rotation on and off, and a revoked session surfaced once, without a retry loop.

import { describe, expect, it } from "vitest";
import { createChirpyClient, memoryStore, type PasskeyCeremonies, type SessionEndedEvent } from "../../src/client";
import { stepAt, totpCode } from "../../src/crypto/totp";
import { SoftAuthenticator } from "../authenticator";
import {
  appWith,
  base32Bytes,
  type FixedClock,
  fixedClock,
  json,
  newUser,
  refresh,
  revoke,
  uniqueEmail,
} from "../helpers";

/** The worker behind a fetch that counts requests per path. */
function countingWorker(clock: FixedClock, bindings: Record<string, string> = {}) {
  const app = appWith({ clock }, bindings);
  const counts: Record<string, number> = {};
  const fetcher = async (input: RequestInfo | URL, init?: RequestInit) => {
    // As fetch takes them: a URL and options, or a Request (openapi-fetch sends those).
    const request = new Request(input, init);
    const url = new URL(request.url);
    const key = `${request.method} ${url.pathname}`;
    counts[key] = (counts[key] ?? 0) + 1;
    const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.text();
    return app(url.pathname + url.search, { method: request.method, headers: request.headers, body });
  };
  return { app, counts, fetch: fetcher as typeof fetch };
}

async function loggedInClient(clock: FixedClock, bindings: Record<string, string> = {}, clientNow = clock.now) {
  const worker = countingWorker(clock, bindings);
  const user = await newUser(worker.app, uniqueEmail("client"));
  const store = memoryStore();
  const client = createChirpyClient({ baseUrl: "http://chirpy.test", fetch: worker.fetch, store, now: clientNow });
  expect(await client.login(user.email, user.password)).toMatchObject({ ok: true, body: { id: user.id } });
  const ended: SessionEndedEvent[] = [];
  client.onSessionEnded((event) => ended.push(event));
  for (const key of Object.keys(worker.counts)) delete worker.counts[key];
  return { client, store, user, worker, ended };
}

const postChirps = (client: ReturnType<typeof createChirpyClient>, n: number) =>
  Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const { response } = await client.rpc.POST("/api/chirps", { body: { body: `chirp ${i}` } });
      return response;
    }),
  );

describe("client: refresh before expiry", () => {
  it.each(["off", "on"])(
    "20 concurrent calls with an expired access token make exactly one refresh (rotation %s)",
    async (rotation) => {
      const clock = fixedClock();
      const { client, store, worker } = await loggedInClient(clock, { REFRESH_TOKEN_ROTATION: rotation });
      const before = await store.get();
      clock.advance(3600); // the access token has expired, by both clocks

      const responses = await postChirps(client, 20);
      expect(responses.map((res) => res.status)).toEqual(Array(20).fill(201));
      expect(worker.counts["POST /api/refresh"]).toBe(1);
      expect(worker.counts["POST /api/chirps"]).toBe(20);
      const after = await store.get();
      expect(after?.accessToken).not.toBe(before?.accessToken);
      if (rotation === "on") expect(after?.refreshToken).not.toBe(before?.refreshToken);
      else expect(after?.refreshToken).toBe(before?.refreshToken);
    },
  );
});

describe("client: refresh after a 401", () => {
  it("a client whose clock is behind gets 401s, refreshes once for all of them, and retries each once", async () => {
    const clock = fixedClock();
    const clientStart = clock.now();
    const { client, worker } = await loggedInClient(clock, { REFRESH_TOKEN_ROTATION: "on" }, () => clientStart);
    clock.advance(3700); // the server sees the token expired; the client thinks it is fresh

    const responses = await postChirps(client, 20);
    expect(responses.map((res) => res.status)).toEqual(Array(20).fill(201));
    expect(worker.counts["POST /api/refresh"]).toBe(1);
    expect(worker.counts["POST /api/chirps"]).toBe(40); // each call: the 401, then its one retry
  });

  it("a revoked session: one session-ended event, one refresh attempt, no retry loop", async () => {
    const clock = fixedClock();
    const { client, store, user, worker, ended } = await loggedInClient(clock);
    const tokens = await store.get();
    const revoked = await revoke(worker.app, tokens?.refreshToken ?? "");
    expect(revoked.status).toBe(204);

    const responses = await postChirps(client, 5);
    expect(responses.map((res) => res.status)).toEqual(Array(5).fill(401));
    expect(worker.counts["POST /api/refresh"]).toBe(1);
    expect(worker.counts["POST /api/chirps"]).toBe(5);
    expect(ended).toEqual([{ type: "session-ended", reason: "refresh-refused" }]);
    expect(await store.get()).toBeNull();

    // Later calls go out without a token and never try to refresh.
    const later = await client.rpc.POST("/api/chirps", { body: { body: "after" } });
    expect(later.response.status).toBe(401);
    expect(later.error?.code).toBe("missing_bearer");
    expect(worker.counts["POST /api/refresh"]).toBe(1);
    expect(user.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("a refresh racing a logout does not log the user back in", async () => {
    const clock = fixedClock();
    const { client, store, ended } = await loggedInClient(clock, { REFRESH_TOKEN_ROTATION: "on" });
    const refreshing = client.refresh();
    await client.logout();
    await refreshing;
    expect(await store.get()).toBeNull();
    expect(ended).toEqual([{ type: "session-ended", reason: "logged-out" }]);
  });
});

describe("client: a device clock that is hours off", () => {
  it("judges expiry by the token's lifetime from when it arrived: 2 h fast makes no extra refresh", async () => {
    const clock = fixedClock();
    const { client, worker } = await loggedInClient(
      clock,
      { REFRESH_TOKEN_ROTATION: "on" },
      () => clock.now() + 7_200_000,
    );
    const responses = await postChirps(client, 10);
    expect(responses.map((res) => res.status)).toEqual(Array(10).fill(201));
    expect(worker.counts["POST /api/refresh"]).toBeUndefined();
    clock.advance(3600); // now the token has really expired
    expect((await postChirps(client, 3)).map((res) => res.status)).toEqual(Array(3).fill(201));
    expect(worker.counts["POST /api/refresh"]).toBe(1);
    expect(worker.counts["POST /api/chirps"]).toBe(13);
  });
});

describe("client: logout revokes first", () => {
  /** The worker, but POST /api/revoke fails as `failure` says while `failing` is true. */
  async function clientWithFlakyRevoke(failure: "503" | "network") {
    const clock = fixedClock();
    const setup = await loggedInClient(clock);
    const state = { failing: true };
    const flaky = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (state.failing && input.toString().endsWith("/api/revoke")) {
        if (failure === "network") throw new TypeError("fetch failed");
        return new Response('{"error":"Database unavailable"}', { status: 503 });
      }
      return setup.worker.fetch(input, init);
    }) as typeof fetch;
    const client = createChirpyClient({
      baseUrl: "http://chirpy.test",
      fetch: flaky,
      store: setup.store,
      now: clock.now,
    });
    const ended: SessionEndedEvent[] = [];
    client.onSessionEnded((event) => ended.push(event));
    return { ...setup, client, ended, state };
  }

  it.each(["503", "network"] as const)(
    "on a %s error it rejects and keeps the tokens, which still work; a retry then logs out",
    async (failure) => {
      const { client, store, worker, ended, state } = await clientWithFlakyRevoke(failure);
      const tokens = await store.get();
      await expect(client.logout()).rejects.toThrow();
      expect(await store.get()).toEqual(tokens);
      expect(ended).toEqual([]);
      expect((await refresh(worker.app, tokens?.refreshToken ?? "")).status).toBe(200);

      state.failing = false;
      await client.logout();
      expect(await store.get()).toBeNull();
      expect(ended).toEqual([{ type: "session-ended", reason: "logged-out" }]);
      expect((await refresh(worker.app, tokens?.refreshToken ?? "")).status).toBe(401);
    },
  );

  it("forgets the tokens after a 401 (the server refuses what the store holds)", async () => {
    const worker = countingWorker(fixedClock());
    const store = memoryStore({ accessToken: "stale", refreshToken: "not a token" });
    const client = createChirpyClient({ baseUrl: "http://chirpy.test", fetch: worker.fetch, store });
    const ended: SessionEndedEvent[] = [];
    client.onSessionEnded((event) => ended.push(event));
    await client.logout();
    expect(worker.counts["POST /api/revoke"]).toBe(1);
    expect(await store.get()).toBeNull();
    expect(ended).toEqual([{ type: "session-ended", reason: "logged-out" }]);
  });
});

/**
 * A browser's view of the worker for cookie mode: a cookie jar that stores what Set-Cookie says and
 * sends the cookie only with requests that ask for credentials (as a cross-origin page's fetch), and
 * the page's Origin with every POST, as browsers do; workerd's own fetch refuses the `credentials`
 * option, so it is consumed here.
 */
function browserLikeWorker(clock: FixedClock, bindings: Record<string, string> = {}) {
  const worker = countingWorker(clock, bindings);
  const jar = new Map<string, string>();
  const fetcher = async (input: RequestInfo | URL, init: RequestInit & { credentials?: string } = {}) => {
    const { credentials, ...rest } = init;
    const request = new Request(input, rest);
    const headers = new Headers(request.headers);
    if (request.method === "POST") headers.set("Origin", "http://chirpy.test");
    if (credentials === "include" && jar.size > 0) {
      headers.set("Cookie", [...jar].map(([name, value]) => `${name}=${value}`).join("; "));
    }
    const res = await worker.fetch(new Request(request, { headers }));
    for (const line of res.headers.getAll("Set-Cookie")) {
      const [pair] = line.split(";");
      const [name, value] = [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)];
      if (/Max-Age=0(;|$)/.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  };
  return { ...worker, jar, fetch: fetcher as typeof fetch };
}

describe("client: cookie mode (browser apps)", () => {
  const start = async (bindings: Record<string, string> = {}) => {
    const clock = fixedClock();
    const worker = browserLikeWorker(clock, bindings);
    const user = await newUser(worker.app, uniqueEmail("cookie-client"));
    const open = () =>
      createChirpyClient({ baseUrl: "http://chirpy.test", session: "cookie", fetch: worker.fetch, now: clock.now });
    return { clock, worker, user, open };
  };

  it("never sees the refresh token, and refreshes once for 20 calls through the cookie (rotation on)", async () => {
    const { clock, worker, user, open } = await start({ REFRESH_TOKEN_ROTATION: "on" });
    const client = open();
    const outcome = await client.login(user.email, user.password);
    expect(outcome.ok && "refresh_token" in outcome.body).toBe(false);
    const first = worker.jar.get("__Host-chirpy_refresh");
    expect(first).toMatch(/^[0-9a-f]{64}$/);

    clock.advance(3600);
    const responses = await postChirps(client, 20);
    expect(responses.map((res) => res.status)).toEqual(Array(20).fill(201));
    expect(worker.counts["POST /api/refresh"]).toBe(1);
    expect(worker.jar.get("__Host-chirpy_refresh")).not.toBe(first); // the successor replaced it
  });

  it("a reloaded page (a new client, the same cookie jar) is still logged in without logging in again", async () => {
    const { worker, user, open } = await start();
    await open().login(user.email, user.password);
    const reloaded = open();
    const { data } = await reloaded.rpc.POST("/api/chirps", { body: { body: "after a reload" } });
    expect(data?.body).toBe("after a reload");
    expect(worker.counts["POST /api/refresh"]).toBe(1);
  });

  it("me(): a reloaded page learns who is logged in (one refresh, then GET /api/users/me); logged out, null", async () => {
    const { worker, user, open } = await start();
    await open().login(user.email, user.password);
    const reloaded = open();
    const me = await reloaded.me();
    expect(me).toMatchObject({ id: user.id, email: user.email, email_verified: false, passkeys: 0, totp: false });
    expect(worker.counts["POST /api/refresh"]).toBe(1);
    await reloaded.logout();
    expect(await open().me()).toBeNull();
  });

  it("logout revokes the cookie's session and clears it; a page opened afterwards is logged out", async () => {
    const { worker, user, open } = await start();
    const client = open();
    await client.login(user.email, user.password);
    const ended: SessionEndedEvent[] = [];
    client.onSessionEnded((event) => ended.push(event));
    await client.logout();
    expect(ended).toEqual([{ type: "session-ended", reason: "logged-out" }]);
    expect(worker.counts["POST /api/revoke"]).toBe(1);
    // The refresh cookie is gone; the device cookie stays (the browser is still one of the user's).
    expect([...worker.jar.keys()]).toEqual(["__Host-chirpy-device"]);
    expect(await open().refresh()).toBeNull();
  });

  it("logged out, calls go without a token and do not retry the refresh each time", async () => {
    const { worker, open } = await start();
    const client = open();
    for (let i = 0; i < 3; i++) {
      const { response } = await client.rpc.GET("/api/chirps", { params: { query: { sort: "asc" } } });
      expect(response.status).toBe(200);
    }
    expect(worker.counts["POST /api/refresh"]).toBe(1);
    const refused = await client.rpc.POST("/api/chirps", { body: { body: "not logged in" } });
    expect(refused.response.status).toBe(401);
    expect(worker.counts["POST /api/refresh"]).toBe(1);
  });
});

describe("client: the timeline a page at a time", () => {
  it("follows Link rel=next until no page follows, in both orders and for one author", async () => {
    const clock = fixedClock(Date.UTC(2046, 0, 1));
    const { client, user } = await loggedInClient(clock);
    for (let i = 0; i < 5; i++) {
      await client.rpc.POST("/api/chirps", { body: { body: `paged ${i}` } });
      clock.advance(1);
    }
    for (const sort of ["asc", "desc"] as const) {
      const pages = [];
      for await (const page of client.chirpPages({ sort, authorId: user.id, limit: 2 })) pages.push(page);
      expect(pages.map((page) => page.chirps.length)).toEqual([2, 2, 1]);
      expect(pages.map((page) => page.next === null)).toEqual([false, false, true]);
      const bodies = pages.flatMap((page) => page.chirps.map((chirp) => chirp.body));
      expect(bodies).toEqual(
        sort === "asc"
          ? ["paged 0", "paged 1", "paged 2", "paged 3", "paged 4"]
          : ["paged 4", "paged 3", "paged 2", "paged 1", "paged 0"],
      );
    }
  });

  it("rejects with the server's message when a page is refused", async () => {
    const { client } = await loggedInClient(fixedClock());
    const pages = client.chirpPages({ limit: 5000 });
    await expect(pages.next()).rejects.toThrow(
      "GET /api/chirps answered 400: limit must be a whole number from 1 to 1000",
    );
  });
});

describe("client: refusals carry the server's code", () => {
  it("a refused login says why: incorrect_credentials, then too_many_logins with Retry-After", async () => {
    const clock = fixedClock(Date.UTC(2047, 0, 1));
    const worker = countingWorker(clock, { LOGIN_MAX_FAILURES_PER_EMAIL: "1" });
    const user = await newUser(worker.app, uniqueEmail("refused"));
    const client = createChirpyClient({ baseUrl: "http://chirpy.test", fetch: worker.fetch, now: clock.now });
    const first = await client.login(user.email, "not the password");
    expect(first).toEqual({
      ok: false,
      refusal: expect.objectContaining({ status: 401, code: "incorrect_credentials", retryAfter: null }),
    });
    await client.login(user.email, "not the password");
    const locked = await client.login(user.email, user.password);
    expect(locked.ok).toBe(false);
    if (locked.ok) return;
    expect(locked.refusal).toMatchObject({ status: 429, code: "too_many_logins" });
    expect(locked.refusal.retryAfter).toBeGreaterThan(0);
  });

  it("rpc errors are typed by the operation: a chirp too long is chirp_too_long, not a 401 retry", async () => {
    const { client, worker } = await loggedInClient(fixedClock());
    const { error, response } = await client.rpc.POST("/api/chirps", { body: { body: "x".repeat(141) } });
    expect(response.status).toBe(400);
    expect(error?.code).toBe("chirp_too_long");
    expect(worker.counts["POST /api/refresh"]).toBeUndefined();
  });

  /** What wrangler dev's proxy answers when it lost a non-GET request before the Worker saw it. */
  const lostByDevServer = () =>
    new Response(
      "Your worker restarted mid-request. Please try sending the request again. Only GET or HEAD requests are retried automatically.",
      { status: 503, headers: { "Retry-After": "0" } },
    );

  it("a request the local dev server lost is sent again once: the login, the post and the logout happen", async () => {
    const clock = fixedClock();
    const worker = countingWorker(clock);
    const user = await newUser(worker.app, uniqueEmail("lost"));
    // The dev server loses the first attempt of every non-GET request (after reading its body, as
    // a real connection does); the second reaches the Worker.
    const attempts: Record<string, number> = {};
    const losing = async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      const key = `${request.method} ${new URL(request.url).pathname}`;
      attempts[key] = (attempts[key] ?? 0) + 1;
      if (request.method !== "GET" && attempts[key] % 2 === 1) {
        await request.text();
        return lostByDevServer();
      }
      return worker.fetch(request);
    };
    const client = createChirpyClient({ baseUrl: "http://chirpy.test", fetch: losing, now: clock.now });
    expect(await client.login(user.email, user.password)).toMatchObject({ ok: true, body: { id: user.id } });
    const posted = await client.rpc.POST("/api/chirps", { body: { body: "sent twice, stored once" } });
    expect(posted.response.status).toBe(201);
    await client.logout();
    expect(attempts).toEqual({ "POST /api/login": 2, "POST /api/chirps": 2, "POST /api/revoke": 2 });
    expect(worker.counts).toEqual({ "POST /api/login": 1, "POST /api/chirps": 1, "POST /api/revoke": 1 });
    const chirps = await worker.app(`/api/chirps?author_id=${user.id}`);
    expect(((await chirps.json()) as { body: string }[]).map((c) => c.body)).toEqual(["sent twice, stored once"]);
  });

  it("lost twice, or a 503 of the API's own, is not sent again and says what happened", async () => {
    const clock = fixedClock();
    let calls = 0;
    const alwaysLost = async () => {
      calls++;
      return lostByDevServer();
    };
    const lost = await createChirpyClient({ baseUrl: "http://chirpy.test", fetch: alwaysLost, now: clock.now }).login(
      "someone@example.com",
      "password-123456",
    );
    expect(calls).toBe(2);
    // An answer without the API's error body: says that something in between answered.
    expect(lost).toEqual({
      ok: false,
      refusal: {
        status: 503,
        code: "internal_error",
        error: "The API did not answer (HTTP 503 from something in between); try again",
        retryAfter: null,
      },
    });
    calls = 0;
    const unavailable = async () => {
      calls++;
      return Response.json(
        { error: "Database unavailable", code: "database_unavailable" },
        { status: 503, headers: { "Retry-After": "0" } },
      );
    };
    const refused = await createChirpyClient({
      baseUrl: "http://chirpy.test",
      fetch: unavailable,
      now: clock.now,
    }).login("someone@example.com", "password-123456");
    expect(calls).toBe(1);
    expect(refused).toMatchObject({ ok: false, refusal: { status: 503, code: "database_unavailable" } });
  });
});

describe("client: passkeys", () => {
  it("adds, lists and removes passkeys, and signs in with one (bearer; the ceremonies injected)", async () => {
    const clock = fixedClock(Date.UTC(2050, 0, 1));
    const worker = countingWorker(clock);
    const user = await newUser(worker.app, uniqueEmail("client-passkey"));
    const authenticator = new SoftAuthenticator("http://chirpy.test", "chirpy.test");
    const ceremonies: PasskeyCeremonies = {
      create: (options) => authenticator.create(options) as ReturnType<PasskeyCeremonies["create"]>,
      get: (options) => authenticator.get(options) as ReturnType<PasskeyCeremonies["get"]>,
    };
    const open = () =>
      createChirpyClient({
        baseUrl: "http://chirpy.test",
        fetch: worker.fetch,
        now: clock.now,
        passkeyCeremonies: ceremonies,
      });
    const client = open();
    expect((await client.login(user.email, user.password)).ok).toBe(true);
    const added = await client.passkeys.register({ name: "Phone" });
    expect(added).toMatchObject({ name: "Phone", last_used_at: null });
    expect((await client.passkeys.list()).map((passkey) => passkey.id)).toEqual([added.id]);

    const fresh = open();
    const outcome = await fresh.loginWithPasskey();
    expect(outcome.ok && outcome.body.id).toBe(user.id);
    const { response } = await fresh.rpc.POST("/api/chirps", { body: { body: "signed in with a passkey" } });
    expect(response.status).toBe(201);

    await fresh.passkeys.remove(added.id);
    expect(await fresh.passkeys.list()).toEqual([]);
    const refused = await open().loginWithPasskey();
    expect(refused).toEqual({
      ok: false,
      refusal: expect.objectContaining({ status: 401, code: "passkey_login_failed" }),
    });
  });

  it("outside a browser without ceremonies, a passkey sign-in rejects as unsupported", async () => {
    const client = createChirpyClient({ baseUrl: "http://chirpy.test", fetch: countingWorker(fixedClock()).fetch });
    await expect(client.loginWithPasskey()).rejects.toMatchObject({ name: "PasskeyError", reason: "unsupported" });
  });
});

describe("client: two-factor login", () => {
  it("login() answers mfaRequired, and completeMfaLogin() with a code opens the session", async () => {
    const clock = fixedClock(Date.UTC(2052, 0, 1));
    const worker = countingWorker(clock);
    const user = await newUser(worker.app, uniqueEmail("client-mfa"));
    const started = await worker.app(
      "/api/mfa/totp",
      json({ password: user.password }, { Authorization: `Bearer ${user.token}` }),
    );
    const { secret } = await started.json<{ secret: string }>();
    const bytes = base32Bytes(secret);
    const confirm = await totpCode(bytes, stepAt(clock.now()));
    await worker.app("/api/mfa/totp/confirm", json({ code: confirm }, { Authorization: `Bearer ${user.token}` }));
    clock.advance(30);

    const client = createChirpyClient({ baseUrl: "http://chirpy.test", fetch: worker.fetch, now: clock.now });
    const first = await client.login(user.email, user.password);
    expect(first).toEqual({
      ok: false,
      mfaRequired: true,
      mfaToken: expect.any(String),
      methods: ["totp", "recovery_code"],
      refusal: expect.objectContaining({ status: 403, code: "mfa_required" }),
    });
    if (!("mfaRequired" in first)) return;
    const wrong = await client.completeMfaLogin({ mfaToken: first.mfaToken, code: "000000" });
    expect(wrong).toEqual({ ok: false, refusal: expect.objectContaining({ status: 401, code: "mfa_failed" }) });
    const done = await client.completeMfaLogin({
      mfaToken: first.mfaToken,
      code: await totpCode(bytes, stepAt(clock.now())),
    });
    expect(done.ok && done.body.id).toBe(user.id);
    const { response } = await client.rpc.POST("/api/chirps", { body: { body: "after two factors" } });
    expect(response.status).toBe(201);
  });
});
