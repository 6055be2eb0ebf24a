import { describe, expect, it } from "vitest";
import { api, appWith } from "../helpers";

describe("CORS", () => {
  it("is off by default: no Access-Control headers, even for a preflight", async () => {
    const res = await api("/api/login", {
      method: "OPTIONS",
      headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" },
    });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const get = await api("/api/chirps", { headers: { Origin: "https://evil.example" } });
    expect(get.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("opens only to the origins listed in CORS_ORIGINS", async () => {
    const app = appWith({}, { CORS_ORIGINS: "https://app.example, https://admin.example" });
    const preflight = await app("/api/login", {
      method: "OPTIONS",
      headers: { Origin: "https://app.example", "Access-Control-Request-Method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBe("https://app.example");
    expect(preflight.headers.get("Access-Control-Allow-Headers")).toContain("Authorization");
    expect(preflight.headers.get("Access-Control-Allow-Headers")).toContain("X-Chirpy-Session");
    // Listed origins may use cookie mode: credentials, for that exact origin only.
    expect(preflight.headers.get("Access-Control-Allow-Credentials")).toBe("true");

    const other = await app("/api/chirps", { headers: { Origin: "https://evil.example" } });
    expect(other.status).toBe(200);
    // No Allow-Origin: the browser hands the response to no script of that origin, credentials or not.
    expect(other.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});

describe("security headers", () => {
  it("sets the hono/secure-headers set on success and error responses", async () => {
    for (const res of [await api("/api/healthz"), await api("/nope"), await api("/api/refresh", { method: "POST" })]) {
      expect(res.headers.get("Strict-Transport-Security")).toMatch(/max-age=\d+/);
      expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
      expect(res.headers.get("Cache-Control")).toBe("no-store");
    }
  });
});
