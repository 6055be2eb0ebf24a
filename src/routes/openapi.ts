// The OpenAPI 3.1 document, built from the routes themselves: each handler chain carries its
// description (routes/describe.ts) and its validators, whose valibot schemas are the request
// schemas (with the JSON Schema of their custom checks, validation.ts); response schemas are the
// ones the serializers are typed from (routes/responses.ts). Named schemas (named(), beside their
// definitions) become components; nothing here lists them.

import { toJsonSchema } from "@valibot/to-json-schema";
import type { RouterRoute } from "hono/types";
import type * as v from "valibot";
import { ERRORS, type ErrorCode, TEMPLATED_ERRORS } from "../errors";
import { REFRESH_COOKIE, SESSION_HEADER } from "../middleware/session-cookie";
import { inputOf, jsonSchemaOf, nameOf, type ValidatedInput } from "../middleware/validation";
import { ANY_OPERATION, descriptionOf, type ErrorAnswer, isErrorAnswer, type OperationDescription } from "./describe";
import { errorResponseSchema } from "./responses";

interface Operation extends OperationDescription {
  method: string;
  path: string;
  /** What the route's validators check: its body, query and path parameters. */
  inputs: ValidatedInput[];
}

/** Every described operation of the app, at the method and path the router serves it, with its inputs. */
export function describedOperations(routes: RouterRoute[]): Operation[] {
  const byKey = new Map<string, Operation>();
  const inputs = new Map<string, ValidatedInput[]>();
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    const input = inputOf(route.handler);
    if (input) inputs.set(key, [...(inputs.get(key) ?? []), input]);
    const description = descriptionOf(route.handler);
    if (description && !byKey.has(key)) {
      byKey.set(key, { ...description, method: route.method.toLowerCase(), path: route.path, inputs: [] });
    }
  }
  return [...byKey.entries()].map(([key, op]) => ({ ...op, inputs: inputs.get(key) ?? [] }));
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

/** A named schema as a reference to its component (collected into `components`), else inline. */
function schemaOf(schema: v.GenericSchema, components: Record<string, JsonObject>): JsonObject {
  const name = nameOf(schema);
  if (!name) return jsonSchema(schema);
  components[name] ??= jsonSchema(schema);
  return { $ref: `#/components/schemas/${name}` };
}

function parameters(schema: v.GenericSchema, where: "query" | "path" | "header") {
  const entries = (schema as v.ObjectSchema<v.ObjectEntries, undefined>).entries;
  return Object.entries(entries).map(([name, entry]) => ({
    name,
    in: where,
    required: where === "path" || entry.type !== "optional",
    schema: jsonSchema(entry as v.GenericSchema),
  }));
}

const operationIdOf = (method: string, path: string) =>
  `${method}${path.replace(/[/:]+(\w)/g, (_m, c: string) => c.toUpperCase())}`;

const CATALOGUE: Record<ErrorCode, { status: number }> = { ...ERRORS, ...TEMPLATED_ERRORS };

/**
 * The Error schema narrowed to the codes a response may carry. A code answered with another status
 * than its catalogue's is a mistake in a description: building the document fails and says where.
 */
function errorContent(
  answer: ErrorAnswer,
  status: number | "default",
  where: string,
  components: Record<string, JsonObject>,
) {
  const wrong = answer.codes.filter((code) => status !== "default" && CATALOGUE[code].status !== status);
  if (wrong.length > 0) throw new Error(`${where} ${status}: ${wrong.join(", ")} answer with another status`);
  return {
    "application/json": {
      schema: {
        allOf: [
          schemaOf(errorResponseSchema, components),
          {
            properties: {
              code: { enum: [...answer.codes] },
              ...(answer.fields ? (jsonSchema(answer.fields).properties as JsonObject) : {}),
            },
          },
        ],
      },
    },
  };
}

/** What any operation may answer besides its own responses. */
const defaultResponse = (components: Record<string, JsonObject>) => ({
  description: `Any operation: ${Object.entries(ANY_OPERATION)
    .map(([status, codes]) => `${status} ${[codes].flat().join(" or ")}`)
    .join("; ")}`,
  content: errorContent({ codes: Object.values(ANY_OPERATION).flat() }, "default", "default", components),
});

function operationObject(op: Operation, components: Record<string, JsonObject>): JsonObject {
  const responses: JsonObject = {};
  for (const [status, [description, body]] of Object.entries(op.responses)) {
    let content: JsonObject | undefined;
    if (isErrorAnswer(body)) content = errorContent(body, Number(status), `${op.method} ${op.path}`, components);
    else if (body === "text") content = { "text/plain": { schema: { type: "string" } } };
    else if (body === "html") content = { "text/html": { schema: { type: "string" } } };
    else if (Array.isArray(body)) {
      content = { "application/json": { schema: { type: "array", items: schemaOf(body[0], components) } } };
    } else if (body) content = { "application/json": { schema: schemaOf(body, components) } };
    const links = op.links?.[Number(status)];
    const headers = op.headers?.[Number(status)];
    responses[status] = {
      description,
      ...(headers
        ? {
            headers: Object.fromEntries(
              Object.entries(headers).map(([name, text]) => [name, { description: text, schema: { type: "string" } }]),
            ),
          }
        : {}),
      ...(content ? { content } : {}),
      ...(links ? { links } : {}),
    };
  }
  const input = (target: ValidatedInput["target"]) => op.inputs.find((i) => i.target === target);
  const [body, query, params, headers] = [input("json"), input("query"), input("param"), input("header")];
  return {
    operationId: operationIdOf(op.method, op.path),
    summary: op.summary,
    tags: [op.tag],
    // Alternatives: any one of the schemes listed is enough.
    ...(op.security ? { security: [op.security].flat().map((scheme) => ({ [scheme]: [] })) } : {}),
    ...(params || query || headers
      ? {
          parameters: [
            ...(params ? parameters(params.schema, "path") : []),
            ...(query ? parameters(query.schema, "query") : []),
            ...(headers ? parameters(headers.schema, "header") : []),
          ],
        }
      : {}),
    ...(body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: schemaOf(body.schema, components) } },
          },
        }
      : {}),
    responses: { ...responses, default: defaultResponse(components) },
  };
}

export const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, "{$1}");

let cached: JsonObject | undefined;

/** The OpenAPI 3.1 document of the app whose routes are given (built once per isolate). */
export function openApiDocument(routes: RouterRoute[]): JsonObject {
  if (cached) return cached;
  const paths: Record<string, JsonObject> = {};
  const components: Record<string, JsonObject> = {};
  for (const op of describedOperations(routes)) {
    const path = toOpenApiPath(op.path);
    paths[path] = { ...paths[path], [op.method]: operationObject(op, components) };
  }
  cached = {
    openapi: "3.1.0",
    info: {
      title: "chirpy-edge",
      version: "0.1.0",
      description:
        'The Chirpy API on Cloudflare Workers + D1: users, password login, short-lived access JWTs, revocable refresh tokens, sessions and chirps. Every error body is {"error": string, "code": string}: each response lists the codes it may carry, and `default` those any operation may answer.',
    },
    tags: ["auth", "users", "passkeys", "mfa", "sessions", "chirps", "webhooks", "ops"].map((name) => ({ name })),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
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
        refreshCookie: {
          type: "apiKey",
          in: "cookie",
          name: REFRESH_COOKIE,
          description: `Cookie mode (browser apps): set by login with \`${SESSION_HEADER}: cookie\`, HttpOnly; honoured only with that header and an Origin that is the API's own or in CORS_ORIGINS (else 403)`,
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
