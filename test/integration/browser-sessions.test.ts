// Threat model: a browser app whose refresh token must survive neither an XSS (it is an HttpOnly
// cookie no script can read) nor another site's page (cross-site form posts, foreign origins, a
// sibling origin on the same site). Cookie mode is asked for with `X-Chirpy-Session: cookie`; each
// rule below is attacked. Bearer mode must answer as it always has.

import { describe, expect, it } from "vitest";
import {
  COOKIE_MODE_ORIGIN_REFUSED,
  COOKIE_NEEDS_SESSION_HEADER,
  errorBody,
  INVALID_REFRESH_TOKEN,
  invalidField,
  MISSING_BEARER,
  MISSING_SESSION_COOKIE,
} from "../../src/errors";
import { SESSION_HINT_COOKIE } from "../../src/middleware/session-cookie";
import {
  api,
  appWith,
  bearer,
  type Fetcher,
  fixedClock,
  json,
  newUser,
  PASSWORD,
  put,
  rowCount,
  USER_FIELDS,
  uniqueEmail,
} from "../helpers";

// As a browser sends it: the custom header and the page's Origin (the test host's own).
const COOKIE_MODE = { "X-Chirpy-Session": "cookie", Origin: "http://chirpy.test" };
const NAME = "__Host-chirpy_refresh";
const SIXTY_DAYS = 5_184_000;

/** The refresh cookie a response sets: its value and attributes, or null. */
function refreshCookieOf(res: Response): { value: string; attributes: string[] } | null {
  const line = res.headers.getAll("Set-Cookie").find((cookie) => cookie.startsWith(`${NAME}=`));
  if (!line) return null;
  const [pair, ...attributes] = line.split(";").map((part) => part.trim());
  return { value: pair.slice(NAME.length + 1), attributes };
}

/** Signs up, then logs in in cookie mode; returns the access token and the cookie's value. */
async function cookieLogin(app: Fetcher, headers: Record<string, string> = {}) {
  const email = uniqueEmail("cookie");
  expect((await app("/api/users", json({ email, password: PASSWORD }))).status).toBe(201);
  const res = await app("/api/login", json({ email, password: PASSWORD }, { ...COOKIE_MODE, ...headers }));
  expect(res.status).toBe(200);
  const body = await res.json<{ id: string; token: string; refresh_token?: string }>();
  const cookie = refreshCookieOf(res);
  if (!cookie) throw new Error("login set no refresh cookie");
  return { id: body.id, email, token: body.token, cookie: cookie.value, body, res };
}

const withCookie = (value: string, headers: Record<string, string> = COOKIE_MODE): RequestInit => ({
  method: "POST",
  headers: { Cookie: `${NAME}=${value}`, ...headers },
});

describe("login in cookie mode", () => {
  it("sets the refresh token as a __Host- cookie (HttpOnly, Secure, SameSite=Strict, Path=/, the session's lifetime) and leaves it out of the body", async () => {
    const { body, cookie, res } = await cookieLogin(api);
    expect(Object.keys(body)).toEqual([...USER_FIELDS, "token"]);
    expect(cookie).toMatch(/^[0-9a-f]{64}$/);
    const { attributes } = refreshCookieOf(res) ?? { attributes: [] };
    expect(attributes.sort()).toEqual(
      [`Max-Age=${SIXTY_DAYS}`, "Path=/", "HttpOnly", "Secure", "SameSite=Strict"].sort(),
    );
    expect(attributes.some((a) => a.startsWith("Domain"))).toBe(false);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
  });

  it("refuses a foreign Origin (403) and opens no session", async () => {
    const email = uniqueEmail("foreign");
    const created = await api("/api/users", json({ email, password: PASSWORD }));
    const { id } = await created.json<{ id: string }>();
    const res = await api(
      "/api/login",
      json({ email, password: PASSWORD }, { ...COOKIE_MODE, Origin: "https://evil.example" }),
    );
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual(errorBody(COOKIE_MODE_ORIGIN_REFUSED));
    expect(res.headers.getAll("Set-Cookie")).toEqual([]);
    expect(await rowCount("sessions", "user_id = ?", id)).toBe(0);
  });

  it("refuses an unknown mode with a 400 that names the header", async () => {
    const res = await api(
      "/api/login",
      json({ email: uniqueEmail(), password: PASSWORD }, { "X-Chirpy-Session": "jar" }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(errorBody(invalidField.notOneOf("X-Chirpy-Session", ["cookie"])));
  });
});

describe("the session hint a page may read", () => {
  /** The hint cookie a response sets: its value and attributes, or null. */
  const hintOf = (res: Response) => {
    const line = res.headers.getAll("Set-Cookie").find((cookie) => cookie.startsWith(`${SESSION_HINT_COOKIE}=`));
    if (!line) return null;
    const [pair, ...attributes] = line.split(";").map((part) => part.trim());
    return { value: pair.slice(SESSION_HINT_COOKIE.length + 1), attributes: attributes.sort() };
  };

  it("comes with the refresh cookie: '1' (nothing secret), not HttpOnly, otherwise the same attributes and lifetime", async () => {
    const { res } = await cookieLogin(api);
    expect(hintOf(res)).toEqual({
      value: "1",
      attributes: [`Max-Age=${SIXTY_DAYS}`, "Path=/", "SameSite=Strict", "Secure"].sort(),
    });
  });

  it("goes with it: revoke and a refused refresh clear both", async () => {
    const { cookie } = await cookieLogin(api);
    const revoked = await api("/api/revoke", withCookie(cookie));
    expect(hintOf(revoked)?.attributes).toContain("Max-Age=0");
    expect(refreshCookieOf(revoked)?.attributes).toContain("Max-Age=0");
    const refused = await api("/api/refresh", withCookie(cookie));
    expect(refused.status).toBe(401);
    expect(hintOf(refused)?.attributes).toContain("Max-Age=0");
  });

  it("alone authenticates nothing: refresh with only the hint is a 401", async () => {
    const res = await api("/api/refresh", {
      method: "POST",
      headers: { Cookie: `${SESSION_HINT_COOKIE}=1`, ...COOKIE_MODE },
    });
    expect(res.status).toBe(401);
  });

  it("never comes in bearer mode", async () => {
    const email = uniqueEmail("bearer-hint");
    await api("/api/users", json({ email, password: PASSWORD }));
    const res = await api("/api/login", json({ email, password: PASSWORD }));
    expect(hintOf(res)).toBeNull();
  });
});

describe("bearer mode is unchanged", () => {
  it("login returns both tokens and no refresh cookie (only the device cookie); refresh and revoke without credentials are 401 as before", async () => {
    const email = uniqueEmail("bearer");
    await api("/api/users", json({ email, password: PASSWORD }));
    const res = await api("/api/login", json({ email, password: PASSWORD }));
    const body = await res.json<object>();
    expect(Object.keys(body)).toEqual([...USER_FIELDS, "token", "refresh_token"]);
    expect(res.headers.getAll("Set-Cookie").map((line) => line.split("=")[0])).toEqual(["__Host-chirpy-device"]);
    for (const path of ["/api/refresh", "/api/revoke"]) {
      const refused = await api(path, { method: "POST" });
      expect(refused.status).toBe(401);
      expect(refused.headers.get("WWW-Authenticate")).toBe("Bearer");
      expect(await refused.json()).toEqual(errorBody(MISSING_BEARER));
    }
    const user = await newUser(api);
    const refreshed = await api("/api/refresh", { method: "POST", headers: bearer(user.refreshToken) });
    expect(Object.keys(await refreshed.json<object>())).toEqual(["token"]);
    expect(refreshed.headers.getAll("Set-Cookie")).toEqual([]);
  });
});

describe("refresh and revoke with the cookie", () => {
  it("refresh trades the cookie for an access token (no rotation: the cookie stays as it is)", async () => {
    const { cookie, id } = await cookieLogin(api);
    const res = await api("/api/refresh", withCookie(cookie));
    expect(res.status).toBe(200);
    const { token } = await res.json<{ token: string }>();
    expect((await api("/api/users", put({ email: uniqueEmail() }, token))).status).not.toBe(401);
    expect(refreshCookieOf(res)).toBeNull();
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(await rowCount("sessions", "user_id = ? and revoked_at is null", id)).toBe(1);
  });

  it("without the header the cookie is refused (403) and the session lives on: a cross-site form post", async () => {
    const { cookie } = await cookieLogin(api);
    for (const path of ["/api/refresh", "/api/revoke"]) {
      // What an HTML form on another site sends: a simple request, text/plain, no custom header.
      const res = await api(path, {
        method: "POST",
        headers: { Cookie: `${NAME}=${cookie}`, "Content-Type": "text/plain", Origin: "https://evil.example" },
        body: "a=b",
      });
      expect(res.status, path).toBe(403);
      expect(await res.json()).toEqual(errorBody(COOKIE_NEEDS_SESSION_HEADER));
      expect(res.headers.getAll("Set-Cookie")).toEqual([]);
      // A same-origin script that did not ask for cookie mode is refused the same way.
      expect((await api(path, withCookie(cookie, {}))).status, path).toBe(403);
    }
    expect((await api("/api/refresh", withCookie(cookie))).status).toBe(200);
  });

  it("a foreign Origin is refused (403) even with the header, and the session lives on", async () => {
    const app = appWith({}, { CORS_ORIGINS: "https://app.example" });
    const { cookie } = await cookieLogin(app);
    for (const origin of ["https://evil.example", "null", "http://chirpy.test:8443", "https://app.example.evil"]) {
      for (const path of ["/api/refresh", "/api/revoke"]) {
        const res = await app(path, withCookie(cookie, { ...COOKIE_MODE, Origin: origin }));
        expect(res.status, `${path} from ${origin}`).toBe(403);
        expect(await res.json()).toEqual(errorBody(COOKIE_MODE_ORIGIN_REFUSED));
      }
    }
    // The API's own origin and the listed one may.
    for (const origin of ["http://chirpy.test", "https://app.example"]) {
      const res = await app("/api/refresh", withCookie(cookie, { ...COOKIE_MODE, Origin: origin }));
      expect(res.status, origin).toBe(200);
    }
  });

  it("without an Origin, only Sec-Fetch-Site: same-origin may use the cookie; cross-site never", async () => {
    const { cookie } = await cookieLogin(api);
    const bare = { "X-Chirpy-Session": "cookie" };
    for (const headers of [bare, { ...bare, "Sec-Fetch-Site": "same-site" }, { ...bare, "Sec-Fetch-Site": "none" }]) {
      for (const path of ["/api/refresh", "/api/revoke"]) {
        const res = await api(path, withCookie(cookie, headers));
        expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(await res.json()).toEqual(errorBody(COOKIE_MODE_ORIGIN_REFUSED));
      }
    }
    // Sec-Fetch-Site: cross-site is refused even beside the API's own Origin (a forged Origin from a
    // non-browser cannot forge a browser's fetch metadata, and a browser never sends both).
    const crossSite = await api("/api/refresh", withCookie(cookie, { ...COOKIE_MODE, "Sec-Fetch-Site": "cross-site" }));
    expect(crossSite.status).toBe(403);
    // A login hiding where it comes from opens no session and sets no cookie.
    const email = uniqueEmail("bare");
    await api("/api/users", json({ email, password: PASSWORD }));
    const login = await api("/api/login", json({ email, password: PASSWORD }, bare));
    expect(login.status).toBe(403);
    expect(login.headers.getAll("Set-Cookie")).toEqual([]);
    // The session lives on: the same-origin fetch metadata alone is enough.
    const ok = await api("/api/refresh", withCookie(cookie, { ...bare, "Sec-Fetch-Site": "same-origin" }));
    expect(ok.status).toBe(200);
  });

  it("with the header but no cookie: refresh is 401, revoke is a 204 that clears the cookie", async () => {
    const refreshed = await api("/api/refresh", { method: "POST", headers: COOKIE_MODE });
    expect(refreshed.status).toBe(401);
    expect(await refreshed.json()).toEqual(errorBody(MISSING_SESSION_COOKIE));
    const revoked = await api("/api/revoke", { method: "POST", headers: COOKIE_MODE });
    expect(revoked.status).toBe(204);
    expect(refreshCookieOf(revoked)?.attributes).toContain("Max-Age=0");
  });

  it("revoke ends the session and clears the cookie with the same name, path and attributes", async () => {
    const { cookie, token } = await cookieLogin(api);
    const res = await api("/api/revoke", withCookie(cookie));
    expect(res.status).toBe(204);
    const cleared = refreshCookieOf(res);
    expect(cleared?.value).toBe("");
    expect(cleared?.attributes.sort()).toEqual(["HttpOnly", "Max-Age=0", "Path=/", "SameSite=Strict", "Secure"]);
    const again = await api("/api/refresh", withCookie(cookie));
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual(errorBody(INVALID_REFRESH_TOKEN));
    // A dead cookie is cleared so the browser stops sending it.
    expect(refreshCookieOf(again)?.attributes).toContain("Max-Age=0");
    expect((await api("/api/chirps", json({ body: "after logout" }, bearer(token)))).status).toBe(401);
  });
});

describe("ending the session any other way makes the cookie useless at once", () => {
  it("log out everywhere", async () => {
    const { cookie, token } = await cookieLogin(api);
    expect((await api("/api/sessions", { method: "DELETE", headers: bearer(token) })).status).toBe(204);
    expect((await api("/api/refresh", withCookie(cookie))).status).toBe(401);
  });

  it("a password change", async () => {
    const { cookie, token, email } = await cookieLogin(api);
    expect((await api("/api/users", put({ email, password: "a brand new password" }, token))).status).toBe(200);
    expect((await api("/api/refresh", withCookie(cookie))).status).toBe(401);
  });

  it("the session cap", async () => {
    const app = appWith({}, { MAX_SESSIONS_PER_USER: "1" });
    const { cookie, email } = await cookieLogin(app);
    expect((await app("/api/login", json({ email, password: PASSWORD }))).status).toBe(200);
    expect((await app("/api/refresh", withCookie(cookie))).status).toBe(401);
  });

  it("reuse detection (rotation on): the old cookie after the grace window ends the family, successor included", async () => {
    const clock = fixedClock();
    const app = appWith({ clock }, { REFRESH_TOKEN_ROTATION: "on" });
    const { cookie } = await cookieLogin(app);
    const first = await app("/api/refresh", withCookie(cookie));
    const successor = refreshCookieOf(first)?.value as string;
    clock.advance(60);
    expect((await app("/api/refresh", withCookie(cookie))).status).toBe(401);
    expect((await app("/api/refresh", withCookie(successor))).status).toBe(401);
  });
});

describe("rotation in cookie mode", () => {
  it("sets the successor cookie with the session's remaining lifetime (rotation never extends it)", async () => {
    const clock = fixedClock();
    const app = appWith({ clock }, { REFRESH_TOKEN_ROTATION: "on" });
    const { cookie } = await cookieLogin(app);
    clock.advance(1000);
    const res = await app("/api/refresh", withCookie(cookie));
    expect(res.status).toBe(200);
    expect(Object.keys(await res.json<object>())).toEqual(["token"]);
    const successor = refreshCookieOf(res);
    expect(successor?.value).toMatch(/^[0-9a-f]{64}$/);
    expect(successor?.value).not.toBe(cookie);
    expect(successor?.attributes).toContain(`Max-Age=${SIXTY_DAYS - 1000}`);
  });

  it("two tabs refreshing at once with one cookie: both 200, one successor set in both", async () => {
    const clock = fixedClock();
    const app = appWith({ clock }, { REFRESH_TOKEN_ROTATION: "on" });
    const { cookie, id } = await cookieLogin(app);
    const [a, b] = await Promise.all([
      app("/api/refresh", withCookie(cookie)),
      app("/api/refresh", withCookie(cookie)),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const successors = new Set([refreshCookieOf(a)?.value, refreshCookieOf(b)?.value]);
    expect(successors.size).toBe(1);
    expect(await rowCount("refresh_tokens", "user_id = ?", id)).toBe(2); // the original and one successor
    const [successor] = successors;
    clock.advance(30);
    expect((await app("/api/refresh", withCookie(successor as string))).status).toBe(200);
  });
});
