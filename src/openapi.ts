// The OpenAPI 3.1 document, generated from the same valibot schemas that validate requests
// (request bodies, query and path parameters) plus the response schemas below. A test checks
// that every route the app serves is described here and that the document is valid OpenAPI 3.1.

import { toJsonSchema } from "@valibot/to-json-schema";
import * as v from "valibot";
import {
  chirpIdSchema,
  chirpSchema,
  chirpsQuerySchema,
  credentialsSchema,
  polkaWebhookSchema,
  sessionIdSchema,
} from "./validation";

const isoTimestamp = v.pipe(v.string(), v.isoTimestamp(), v.description("ISO 8601 UTC"));
const uuid = v.pipe(v.string(), v.uuid());

export const userResponseSchema = v.object({
  id: uuid,
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
  email: v.string(),
  is_chirpy_red: v.boolean(),
});

export const loginResponseSchema = v.object({
  ...userResponseSchema.entries,
  token: v.pipe(v.string(), v.description("Access token: an HS256 JWT, valid ACCESS_TOKEN_TTL_SECONDS")),
  refresh_token: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/), v.description("Refresh token: 64 lowercase hex")),
});

export const refreshResponseSchema = v.object({
  token: v.string(),
  refresh_token: v.optional(
    v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/), v.description("Only with REFRESH_TOKEN_ROTATION=on")),
  ),
});

export const chirpResponseSchema = v.object({
  id: uuid,
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
  body: v.string(),
  user_id: uuid,
});

export const sessionResponseSchema = v.object({
  id: uuid,
  created_at: isoTimestamp,
  last_used_at: v.pipe(
    isoTimestamp,
    v.description(
      "Last login, rotation or refresh; refreshes without rotation stamp it at most once per SESSION_TOUCH_INTERVAL_SECONDS (300 by default), so it is that precise",
    ),
  ),
  expires_at: isoTimestamp,
  user_agent: v.nullable(v.string()),
  current: v.pipe(v.boolean(), v.description("true for the session of the token making the call")),
});

export const errorResponseSchema = v.object({ error: v.pipe(v.string(), v.description("What was wrong")) });

const schemas = {
  Credentials: credentialsSchema,
  ChirpInput: chirpSchema,
  PolkaWebhook: polkaWebhookSchema,
  User: userResponseSchema,
  Login: loginResponseSchema,
  Refresh: refreshResponseSchema,
  Chirp: chirpResponseSchema,
  Session: sessionResponseSchema,
  Error: errorResponseSchema,
};

type SchemaName = keyof typeof schemas;
type Security = "accessToken" | "refreshToken" | "polkaApiKey";

interface Operation {
  method: "get" | "post" | "put" | "delete";
  /** Hono's path syntax (`:id`); converted to `{id}`. */
  path: string;
  summary: string;
  tag: string;
  security?: Security;
  body?: SchemaName;
  query?: v.ObjectSchema<v.ObjectEntries, undefined>;
  params?: v.ObjectSchema<v.ObjectEntries, undefined>;
  /** Status → [description, body]: a schema name, an array of one, "text", or nothing. */
  responses: Record<number, [string, (SchemaName | [SchemaName] | "text")?]>;
}

const E = "Error" as const;
const unauthorized: Operation["responses"] = { 401: ["Missing, malformed, invalid or expired credentials", E] };

export const OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/openapi.json",
    summary: "This document (OpenAPI 3.1)",
    tag: "ops",
    responses: { 200: ["The OpenAPI document"] },
  },
  {
    method: "get",
    path: "/docs",
    summary: "API reference page rendered from this document",
    tag: "ops",
    responses: { 200: ["HTML page", "text"] },
  },
  {
    method: "get",
    path: "/api/healthz",
    summary: "Health check (pings D1)",
    tag: "ops",
    responses: { 200: ["OK", "text"], 503: ["D1 is unreachable", E] },
  },
  {
    method: "post",
    path: "/admin/reset",
    summary: "Delete all users (their tokens and chirps cascade); PLATFORM=dev only",
    tag: "ops",
    responses: { 200: ["Deleted"], 403: ["PLATFORM is not dev, or the request came from another site", E] },
  },
  {
    method: "post",
    path: "/api/users",
    summary: "Sign up",
    tag: "users",
    body: "Credentials",
    responses: {
      201: ["Created", "User"],
      400: ["Invalid body", E],
      409: ["Email already registered", E],
      429: ["Too many sign-ups from this network; see Retry-After", E],
    },
  },
  {
    method: "put",
    path: "/api/users",
    summary: "Change email and password (a new password ends all sessions)",
    tag: "users",
    security: "accessToken",
    body: "Credentials",
    responses: { 200: ["Updated", "User"], 400: ["Invalid body", E], ...unauthorized, 409: ["Email taken", E] },
  },
  {
    method: "post",
    path: "/api/login",
    summary: "Log in: opens a session with an access token and a refresh token",
    tag: "auth",
    body: "Credentials",
    responses: {
      200: ["Logged in", "Login"],
      400: ["Invalid body", E],
      401: ["Incorrect email or password", E],
      429: ["Too many failed attempts; see Retry-After", E],
    },
  },
  {
    method: "post",
    path: "/api/refresh",
    summary: "Trade a refresh token for a new access token (and a new refresh token with rotation on)",
    tag: "auth",
    security: "refreshToken",
    responses: { 200: ["New access token", "Refresh"], ...unauthorized },
  },
  {
    method: "post",
    path: "/api/revoke",
    summary: "Revoke a refresh token and end its session (RFC 7009: unknown tokens are a no-op)",
    tag: "auth",
    security: "refreshToken",
    responses: { 204: ["Revoked"], 401: ["Missing or malformed Authorization header", E] },
  },
  {
    method: "get",
    path: "/api/sessions",
    summary: "List the caller's live sessions",
    tag: "sessions",
    security: "accessToken",
    responses: { 200: ["Sessions, newest first", ["Session"]], ...unauthorized },
  },
  {
    method: "delete",
    path: "/api/sessions",
    summary: "End all the caller's sessions (log out everywhere)",
    tag: "sessions",
    security: "accessToken",
    responses: { 204: ["Ended"], ...unauthorized },
  },
  {
    method: "delete",
    path: "/api/sessions/:sessionID",
    summary: "End one of the caller's sessions",
    tag: "sessions",
    security: "accessToken",
    params: sessionIdSchema,
    responses: { 204: ["Ended"], 400: ["Malformed id", E], ...unauthorized, 404: ["No such live session", E] },
  },
  {
    method: "post",
    path: "/api/chirps",
    summary: "Post a chirp (≤ 140 characters; profanity replaced by ****)",
    tag: "chirps",
    security: "accessToken",
    body: "ChirpInput",
    responses: { 201: ["Created", "Chirp"], 400: ["Invalid or too long", E], ...unauthorized },
  },
  {
    method: "get",
    path: "/api/chirps",
    summary: "List chirps by created_at (ties in insertion order)",
    tag: "chirps",
    query: chirpsQuerySchema,
    responses: { 200: ["Chirps", ["Chirp"]], 400: ["Bad query", E] },
  },
  {
    method: "get",
    path: "/api/chirps/:chirpID",
    summary: "Get one chirp",
    tag: "chirps",
    params: chirpIdSchema,
    responses: { 200: ["The chirp", "Chirp"], 400: ["Malformed id", E], 404: ["Not found", E] },
  },
  {
    method: "delete",
    path: "/api/chirps/:chirpID",
    summary: "Delete one of your chirps",
    tag: "chirps",
    security: "accessToken",
    params: chirpIdSchema,
    responses: {
      204: ["Deleted"],
      400: ["Malformed id", E],
      ...unauthorized,
      403: ["Not the author", E],
      404: ["Not found", E],
    },
  },
  {
    method: "post",
    path: "/api/polka/webhooks",
    summary: "Polka payment webhook: user.upgraded sets is_chirpy_red; other events are ignored",
    tag: "webhooks",
    security: "polkaApiKey",
    body: "PolkaWebhook",
    responses: {
      204: ["Handled"],
      400: ["Invalid body", E],
      401: ["Bad or missing API key", E],
      404: ["Unknown user", E],
    },
  },
];

type JsonObject = Record<string, unknown>;

const jsonSchema = (schema: v.GenericSchema): JsonObject => {
  // Custom checks (code-point lengths, the email rule) are not expressible; descriptions say them.
  const { $schema: _ignored, ...rest } = toJsonSchema(schema, { target: "draft-2020-12", errorMode: "ignore" });
  return rest;
};

const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

function parameters(schema: v.ObjectSchema<v.ObjectEntries, undefined>, where: "query" | "path") {
  return Object.entries(schema.entries).map(([name, entry]) => ({
    name,
    in: where,
    required: where === "path" || entry.type !== "optional",
    schema: jsonSchema(entry as v.GenericSchema),
  }));
}

function operationObject(op: Operation): JsonObject {
  const responses: JsonObject = {};
  for (const [status, [description, body]] of Object.entries(op.responses)) {
    let content: JsonObject | undefined;
    if (body === "text") content = { "text/plain": { schema: { type: "string" } } };
    else if (Array.isArray(body)) content = { "application/json": { schema: { type: "array", items: ref(body[0]) } } };
    else if (body) content = { "application/json": { schema: ref(body) } };
    responses[status] = content ? { description, content } : { description };
  }
  return {
    operationId: `${op.method}${op.path.replace(/[/:]+(\w)/g, (_m, c: string) => c.toUpperCase())}`,
    summary: op.summary,
    tags: [op.tag],
    ...(op.security ? { security: [{ [op.security]: [] }] } : {}),
    ...(op.query || op.params
      ? {
          parameters: [
            ...(op.params ? parameters(op.params, "path") : []),
            ...(op.query ? parameters(op.query, "query") : []),
          ],
        }
      : {}),
    ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: ref(op.body) } } } } : {}),
    responses,
  };
}

export const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, "{$1}");

let cached: JsonObject | undefined;

/** The OpenAPI 3.1 document (built once per isolate). */
export function openApiDocument(): JsonObject {
  if (cached) return cached;
  const paths: Record<string, JsonObject> = {};
  for (const op of OPERATIONS) {
    const path = toOpenApiPath(op.path);
    paths[path] = { ...paths[path], [op.method]: operationObject(op) };
  }
  cached = {
    openapi: "3.1.0",
    info: {
      title: "chirpy-edge",
      version: "0.1.0",
      description:
        'The Chirpy API on Cloudflare Workers + D1: users, password login, short-lived access JWTs, revocable refresh tokens, sessions and chirps. Every error body is {"error": string}.',
    },
    tags: ["auth", "users", "sessions", "chirps", "webhooks", "ops"].map((name) => ({ name })),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, jsonSchema(schema)])),
      securitySchemes: {
        accessToken: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "The `token` from login or refresh",
        },
        refreshToken: {
          type: "http",
          scheme: "bearer",
          description: "The `refresh_token` from login (64 lowercase hex characters)",
        },
        polkaApiKey: {
          type: "apiKey",
          in: "header",
          name: "Authorization",
          description: "`ApiKey <POLKA_KEY>`",
        },
      },
    },
  };
  return cached;
}
