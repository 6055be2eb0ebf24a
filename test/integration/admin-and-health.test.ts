import { describe, expect, it } from "vitest";
import {
  bodyTooLarge,
  CROSS_SITE_REFUSED,
  DATABASE_UNAVAILABLE,
  errorBody,
  NOT_FOUND,
  RESET_DEV_ONLY,
} from "../../src/errors";
import { unreachableD1 } from "../d1";
import { api, appWith, newUser, postChirp, rowCount } from "../helpers";

const count = (table: string) => rowCount(table);

/** The reset answers only on a loopback host name (see abuse-budgets.test.ts for the rebinding attack). */
const RESET = "http://localhost:8787/admin/reset";

describe("POST /admin/reset", () => {
  it("deletes every user, and their tokens and chirps cascade, when PLATFORM=dev", async () => {
    const user = await newUser();
    await postChirp(api, user.token, "doomed");
    expect(await count("users")).toBeGreaterThan(0);
    const res = await api(RESET, { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ deleted_users: expect.any(Number) });
    expect([await count("users"), await count("refresh_tokens"), await count("chirps")]).toEqual([0, 0, 0]);
  });

  it("returns 403 and deletes nothing unless PLATFORM=dev", async () => {
    await newUser();
    const before = await count("users");
    for (const platform of ["production", "", "DEV"]) {
      const res = await appWith({}, { PLATFORM: platform })(RESET, { method: "POST" });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual(errorBody(RESET_DEV_ONLY));
    }
    expect(await count("users")).toBe(before);
  });
});

describe("POST /admin/reset from a web page (CSRF)", () => {
  const attempts: [string, Record<string, string>][] = [
    ["another origin", { Origin: "https://evil.example" }],
    ["an opaque origin", { Origin: "null" }],
    ["another port on the same host", { Origin: "http://localhost:3000" }],
    ["Fetch Metadata cross-site", { "Sec-Fetch-Site": "cross-site" }],
    ["Fetch Metadata same-site", { "Sec-Fetch-Site": "same-site" }],
  ];
  it.each(attempts)("returns 403 and deletes nothing for %s", async (_, headers) => {
    await newUser();
    const before = await count("users");
    const res = await api(RESET, { method: "POST", headers });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual(errorBody(CROSS_SITE_REFUSED));
    expect(await count("users")).toBe(before);
  });

  it("still resets for this server's own origin and for clients that send neither header (curl)", async () => {
    await newUser();
    const own = await api(RESET, {
      method: "POST",
      headers: { Origin: "http://localhost:8787", "Sec-Fetch-Site": "same-origin" },
    });
    expect(own.status).toBe(200);
    await newUser();
    const curl = await api(RESET, { method: "POST", headers: { "User-Agent": "curl/8.5.0" } });
    expect(curl.status).toBe(200);
    expect(await count("users")).toBe(0);
  });
});

describe("GET /api/healthz", () => {
  it("answers 200 text/plain OK", async () => {
    const res = await api("/api/healthz");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/plain/);
    expect(await res.text()).toBe("OK");
  });

  it("answers 503 with a JSON error when D1 is unreachable", async () => {
    const down = unreachableD1();
    const res = await appWith({}, { DB: down })("/api/healthz");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual(errorBody(DATABASE_UNAVAILABLE));
  });
});

describe("every response", () => {
  it("answers unknown routes and methods with a JSON 404", async () => {
    for (const [method, path] of [
      ["GET", "/nope"],
      ["GET", "/api/users"],
      ["PATCH", "/api/chirps"],
    ]) {
      const res = await api(path, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json()).toEqual(errorBody(NOT_FOUND));
    }
  });

  it("answers a body over 1 MiB with a JSON 413 and stores nothing; exactly 1 MiB passes the limit", async () => {
    const before = await count("users");
    const pad = (size: number) => {
      const base = JSON.stringify({ email: "big@example.com", password: "x", pad: "" });
      return base.replace('"pad":""', `"pad":"${"x".repeat(size - base.length)}"`);
    };
    const over = await api("/api/users", { method: "POST", body: pad(1024 * 1024 + 1) });
    expect(over.status).toBe(413);
    expect(await over.json()).toEqual(errorBody(bodyTooLarge(1024 * 1024)));
    expect(await count("users")).toBe(before);

    const exact = await api("/api/users", { method: "POST", body: pad(1024 * 1024) });
    expect(exact.status).toBe(201);
  });

  it("carries security headers and Cache-Control: no-store", async () => {
    const res = await api("/api/chirps");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("X-Frame-Options")).toBe("SAMEORIGIN");
    const error = await api("/api/refresh", { method: "POST" });
    expect(error.headers.get("Cache-Control")).toBe("no-store");
    expect(error.headers.get("Content-Type")).toMatch(/^application\/json/);
  });
});
