import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { ERRORS, TEMPLATED_ERRORS } from "../../src/errors";
import { toOpenApiPath } from "../../src/routes/openapi";
import {
  chirpResponseSchema,
  errorResponseSchema,
  loginResponseSchema,
  refreshResponseSchema,
  sessionResponseSchema,
  userResponseSchema,
} from "../../src/routes/responses";
import { api, appWith, bearer, json, newUser, postChirp, refresh, uniqueEmail } from "../helpers";

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
}

// Served by the page itself, not an API operation.
const NOT_OPERATIONS = new Set(["GET /docs/init.js"]);

describe("GET /openapi.json", () => {
  it("serves an OpenAPI 3.1 document with the four security schemes", async () => {
    const res = await api("/openapi.json");
    expect(res.status).toBe(200);
    const doc = await res.json<OpenApiDoc>();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      "accessToken",
      "polkaApiKey",
      "refreshCookie",
      "refreshToken",
    ]);
    expect(doc.components.securitySchemes.accessToken).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("describes every route the app serves, and nothing it does not", async () => {
    const doc = await (await api("/openapi.json")).json<OpenApiDoc>();
    const served = new Set(
      createApp()
        .routes.filter((route) => route.method !== "ALL")
        .map((route) => `${route.method} ${toOpenApiPath(route.path)}`)
        .filter((route) => !NOT_OPERATIONS.has(route)),
    );
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)),
    );
    expect([...served].sort()).toEqual([...documented].sort());
    expect(served.size).toBeGreaterThanOrEqual(17);
  });

  it("documents a 401 for every operation that needs a token", async () => {
    const doc = await (await api("/openapi.json")).json<OpenApiDoc>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (op.security) expect(Object.keys(op.responses), `${method} ${path}`).toContain("401");
      }
    }
  });
});

describe("responses match the documented schemas", () => {
  it("for users, login, refresh, chirps, sessions and errors", async () => {
    const email = uniqueEmail();
    const signup = await api("/api/users", json({ email, password: "pw" }));
    v.parse(userResponseSchema, await signup.json());
    const login = await (await api("/api/login", json({ email, password: "pw" }))).json<{
      token: string;
      refresh_token: string;
    }>();
    v.parse(loginResponseSchema, login);
    v.parse(refreshResponseSchema, await (await refresh(api, login.refresh_token)).json());
    const rotating = appWith({}, { REFRESH_TOKEN_ROTATION: "on" });
    const user = await newUser(rotating);
    const rotated = v.parse(refreshResponseSchema, await (await refresh(rotating, user.refreshToken)).json());
    expect(rotated.refresh_token).toMatch(/^[0-9a-f]{64}$/);
    v.parse(chirpResponseSchema, await (await postChirp(api, login.token, "schema")).json());
    v.parse(
      v.array(sessionResponseSchema),
      await (await api("/api/sessions", { headers: bearer(login.token) })).json(),
    );
    v.parse(errorResponseSchema, await (await api("/api/chirps/not-a-uuid")).json());
  });
});

describe("GET /docs", () => {
  it("serves the reference page with its renderer from this origin only", async () => {
    const res = await api("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(res.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain('<script src="/docs/scalar.js"></script>');
    expect(html).not.toMatch(/https?:\/\//);
    const init = await api("/docs/init.js");
    expect(await init.text()).toContain('url: "/openapi.json"');
  });
});

describe("links between operations", () => {
  type Linked = {
    operationId?: string;
    responses: Record<string, { links?: Record<string, Record<string, unknown>> }>;
  };

  it("the sign-up response links to login with the body just sent, and every link names a real operation", async () => {
    const doc = await (await api("/openapi.json")).json<{ paths: Record<string, Record<string, Linked>> }>();
    const operations = Object.values(doc.paths).flatMap((path) => Object.values(path));
    const ids = new Set(operations.map((op) => op.operationId));
    const signUp = doc.paths["/api/users"].post.responses["201"].links;
    expect(signUp?.login).toEqual({
      operationId: "postApiLogin",
      description: expect.any(String),
      requestBody: "$request.body",
    });
    const targets = operations.flatMap((op) =>
      Object.values(op.responses).flatMap((res) => Object.values(res.links ?? {}).map((link) => link.operationId)),
    );
    expect(targets.length).toBeGreaterThan(5);
    for (const target of targets) expect(ids.has(target as string), String(target)).toBe(true);
  });

  it("following it (sign up, then log in with the same body) logs in", async () => {
    const body = { email: uniqueEmail("linked"), password: "linked password" };
    expect((await api("/api/users", json(body))).status).toBe(201);
    expect((await api("/api/login", json(body))).status).toBe(200);
  });
});

describe("the codes of each operation", () => {
  type ErrorResponse = { content?: { "application/json"?: { schema?: { allOf?: { properties?: unknown }[] } } } };
  const codesOf = (res: ErrorResponse) =>
    (res.content?.["application/json"]?.schema?.allOf ?? []).flatMap(
      (part) => (part.properties as { code?: { enum?: string[] } } | undefined)?.code?.enum ?? [],
    );

  it("every error response lists its codes, each answered with that status by the catalogue", async () => {
    const doc = await (await api("/openapi.json")).json<{
      paths: Record<string, Record<string, { responses: Record<string, ErrorResponse> }>>;
    }>();
    const catalogue: Record<string, { status: number }> = { ...ERRORS, ...TEMPLATED_ERRORS };
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        for (const [status, res] of Object.entries(op.responses)) {
          if (status !== "default" && Number(status) < 400) continue;
          const codes = codesOf(res);
          expect(codes.length, `${method} ${path} ${status}`).toBeGreaterThan(0);
          if (status === "default") continue;
          for (const code of codes)
            expect(catalogue[code].status, `${method} ${path} ${status} ${code}`).toBe(Number(status));
        }
      }
    }
  });

  it("says which codes a login, a refresh and a revoke answer (the 400 for a bad X-Chirpy-Session too)", async () => {
    const doc = await (await api("/openapi.json")).json<{
      paths: Record<string, Record<string, { responses: Record<string, ErrorResponse> }>>;
    }>();
    const login = doc.paths["/api/login"].post.responses;
    expect(codesOf(login["429"])).toEqual(["too_many_logins"]);
    expect(codesOf(login["401"])).toEqual(["incorrect_credentials"]);
    expect(codesOf(doc.paths["/api/refresh"].post.responses["401"]).sort()).toEqual([
      "invalid_refresh_token",
      "missing_bearer",
      "missing_session_cookie",
    ]);
    for (const path of ["/api/refresh", "/api/revoke"]) {
      expect(codesOf(doc.paths[path].post.responses["400"])).toEqual(["invalid_field"]);
    }
    expect(codesOf(login.default).sort()).toEqual(["body_too_large", "internal_error", "misconfigured"]);
  });

  it("a refresh with X-Chirpy-Session other than cookie answers the documented 400", async () => {
    const res = await api("/api/refresh", { method: "POST", headers: { "X-Chirpy-Session": "bearer" } });
    expect(res.status).toBe(400);
    expect((await res.json<{ code: string }>()).code).toBe("invalid_field");
  });
});
