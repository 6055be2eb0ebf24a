// The OpenAPI 3.1 document, built from the routes themselves: each handler chain carries its
// description (routes/describe.ts), request schemas are the valibot schemas that validate
// requests (with the JSON Schema of their custom checks, validation.ts), response schemas are the
// ones the serializers are typed from (routes/responses.ts).

import { toJsonSchema } from "@valibot/to-json-schema";
import type { RouterRoute } from "hono/types";
import type * as v from "valibot";
import { chirpSchema, credentialsSchema, jsonSchemaOf, polkaWebhookSchema } from "../middleware/validation";
import { descriptionOf, type OperationDescription, type SchemaName } from "./describe";
import {
  chirpResponseSchema,
  errorResponseSchema,
  loginResponseSchema,
  refreshResponseSchema,
  sessionResponseSchema,
  userResponseSchema,
} from "./responses";

const schemas: Record<SchemaName, v.GenericSchema> = {
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

interface Operation extends OperationDescription {
  method: string;
  path: string;
}

/** Every described operation of the app, at the method and path the router serves it. */
export function describedOperations(routes: RouterRoute[]): Operation[] {
  const seen = new Set<string>();
  const operations: Operation[] = [];
  for (const route of routes) {
    const description = descriptionOf(route.handler);
    const key = `${route.method} ${route.path}`;
    if (!description || seen.has(key)) continue;
    seen.add(key);
    operations.push({ ...description, method: route.method.toLowerCase(), path: route.path });
  }
  return operations;
}

type JsonObject = Record<string, unknown>;

const jsonSchema = (schema: v.GenericSchema): JsonObject => {
  // Custom checks (code-point lengths, the email rule) carry their JSON Schema (validation.ts).
  const { $schema: _ignored, ...rest } = toJsonSchema(schema, {
    target: "draft-2020-12",
    errorMode: "ignore",
    overrideAction: ({ valibotAction, jsonSchema }) => {
      const rule = jsonSchemaOf(valibotAction);
      return rule ? { ...jsonSchema, ...rule } : undefined;
    },
  });
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

const operationIdOf = (method: string, path: string) =>
  `${method}${path.replace(/[/:]+(\w)/g, (_m, c: string) => c.toUpperCase())}`;

function operationObject(op: Operation): JsonObject {
  const responses: JsonObject = {};
  for (const [status, [description, body]] of Object.entries(op.responses)) {
    let content: JsonObject | undefined;
    if (body === "text") content = { "text/plain": { schema: { type: "string" } } };
    else if (body === "html") content = { "text/html": { schema: { type: "string" } } };
    else if (Array.isArray(body)) content = { "application/json": { schema: { type: "array", items: ref(body[0]) } } };
    else if (body) content = { "application/json": { schema: ref(body) } };
    const links = op.links?.[Number(status)];
    responses[status] = { description, ...(content ? { content } : {}), ...(links ? { links } : {}) };
  }
  return {
    operationId: operationIdOf(op.method, op.path),
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

/** The OpenAPI 3.1 document of the app whose routes are given (built once per isolate). */
export function openApiDocument(routes: RouterRoute[]): JsonObject {
  if (cached) return cached;
  const paths: Record<string, JsonObject> = {};
  for (const op of describedOperations(routes)) {
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
