// End-to-end smoke test over real HTTP: the server as `npm start` runs it (wrangler dev on
// loopback, local D1 with the migrations applied), driven through the course's 9-step flow.

import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyTooLarge, errorBody } from "../../src/errors";
import { type DevServer, startDevServer } from "./server";

let server: DevServer;
let base: string;
let port: number;

beforeAll(async () => {
  server = await startDevServer();
  ({ base, port } = server);
});

afterAll(() => server?.stop());

const post = (p: string, init: { token?: string; body?: unknown } = {}) =>
  fetch(`${base}${p}`, {
    method: "POST",
    headers: {
      ...(init.body !== undefined ? { "Content-Type": "application/json" } : {}),
      ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });

describe("npm start server over HTTP", () => {
  it("passes the course's refresh token sequence", async () => {
    expect((await post("/admin/reset")).status).toBe(200);

    const created = await post("/api/users", { body: { email: "saul@bettercall.com", password: "123456" } });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ email: "saul@bettercall.com", is_chirpy_red: false });

    const login = await post("/api/login", { body: { email: "saul@bettercall.com", password: "123456" } });
    expect(login.status).toBe(200);
    expect(login.headers.get("cache-control")).toBe("no-store");
    const { token, refresh_token } = (await login.json()) as { token: string; refresh_token: string };

    expect(
      (await post("/api/chirps", { token: refresh_token, body: { body: "I'm the one who knocks!" } })).status,
    ).toBe(401);
    expect((await post("/api/chirps", { token, body: { body: "I'm the one who knocks!" } })).status).toBe(201);

    const refreshed = await post("/api/refresh", { token: refresh_token });
    expect(refreshed.status).toBe(200);
    const { token: newToken } = (await refreshed.json()) as { token: string };

    expect((await post("/api/chirps", { token: newToken, body: { body: "Gale!" } })).status).toBe(201);
    expect((await post("/api/revoke", { token: refresh_token })).status).toBe(204);

    const after = await post("/api/refresh", { token: refresh_token });
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({ error: expect.any(String), code: expect.any(String) });
  });

  it("answers oversized bodies with JSON 413 and keeps the connection usable", async () => {
    // One socket, kept alive: the request after a 413 must travel on the same connection.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const request = (method: string, p: string, write?: (req: http.ClientRequest) => void) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request({ host: "127.0.0.1", port, path: p, method, agent, timeout: 10_000 }, (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on("error", reject);
        req.on("timeout", () => req.destroy(new Error(`${method} ${p} timed out`)));
        if (write) write(req);
        req.end();
      });
    const chunk = "x".repeat(64 * 1024);

    // No Content-Length: the body arrives chunked, 1.5 MiB in 64 KiB pieces.
    const chunked = await request("POST", "/api/users", (req) => {
      req.setHeader("Content-Type", "application/json");
      for (let i = 0; i < 24; i++) req.write(chunk);
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.text)).toEqual(errorBody(bodyTooLarge(1024 * 1024)));
    expect(await request("GET", "/api/healthz")).toEqual({ status: 200, text: "OK" });

    // With a Content-Length over the limit.
    const sized = await request("POST", "/api/login", (req) => {
      req.setHeader("Content-Length", String(24 * chunk.length));
      for (let i = 0; i < 24; i++) req.write(chunk);
    });
    expect(sized.status).toBe(413);
    expect(await request("GET", "/api/healthz")).toEqual({ status: 200, text: "OK" });
    agent.destroy();
  });

  it("serves the static renderer with nosniff and a cache policy, and never the _headers file", async () => {
    const script = await fetch(`${base}/docs/scalar.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    expect(script.headers.get("x-content-type-options")).toBe("nosniff");
    expect(script.headers.get("cache-control")).toBe("public, max-age=0, must-revalidate");
    expect(script.headers.get("cross-origin-resource-policy")).toBe("same-origin");
    await script.arrayBuffer();
    const rules = await fetch(`${base}/_headers`);
    expect(rules.status).toBe(404);
    expect(await rules.json()).toEqual(errorBody("Not found"));
  });
});

describe("npm start server: the dev reset and DNS rebinding", () => {
  /** POST /admin/reset with a chosen Host header (fetch does not let a caller set Host). */
  const resetWithHost = (host: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          path: "/admin/reset",
          method: "POST",
          headers: { Host: host, Origin: `http://${host}`, "Sec-Fetch-Site": "same-origin" },
        },
        (res) => {
          let body = "";
          res.on("data", (chunk) => (body += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.end();
    });

  it("refuses a rebound host name (403, nothing deleted) and resets on a loopback one", async () => {
    const email = `rebind-${Date.now()}@example.com`;
    expect((await post("/api/users", { body: { email, password: "123456" } })).status).toBe(201);
    const rebound = await resetWithHost(`evil.example:${port}`);
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toEqual({ error: expect.stringContaining("loopback"), code: expect.any(String) });
    expect((await post("/api/login", { body: { email, password: "123456" } })).status).toBe(200);
    expect((await resetWithHost(`localhost:${port}`)).status).toBe(200);
    expect((await post("/api/login", { body: { email, password: "123456" } })).status).toBe(401);
  });
});
