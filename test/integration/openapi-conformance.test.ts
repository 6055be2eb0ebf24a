// The document and the validators cannot drift apart: for every request schema and parameter in
// /openapi.json, values valid by the document are accepted (a 2xx, or a documented status that is
// not a validation error), and values invalid by the document get 400. Values are generated from
// the document's own JSON Schema keywords (type, required, minLength, maxLength, pattern, format,
// enum), not from the server's code.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  INVALID_CANCEL_TOKEN,
  INVALID_PASSKEY,
  INVALID_RESET_TOKEN,
  INVALID_TOTP_CODE,
  INVALID_VERIFICATION_TOKEN,
  MALFORMED_CURSOR,
  TOTP_NOT_ENABLED,
  TOTP_NOT_PENDING,
} from "../../src/errors";
import { api, bearer, type Fetcher, newUser, uniqueEmail } from "../helpers";

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  format?: string;
  enum?: string[];
  const?: unknown;
  items?: JsonSchema;
  $ref?: string;
}
interface Parameter {
  name: string;
  in: "query" | "path" | "header";
  required: boolean;
  schema: JsonSchema;
}
interface OperationObject {
  security?: Record<string, unknown>[];
  parameters?: Parameter[];
  requestBody?: { content: { "application/json": { schema: JsonSchema } } };
  responses: Record<string, unknown>;
}
interface Doc {
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas: Record<string, JsonSchema> };
}

const doc = await (await api("/openapi.json")).json<Doc>();
const resolve = (schema: JsonSchema) =>
  schema.$ref ? doc.components.schemas[schema.$ref.split("/").pop() as string] : schema;

/**
 * An email of exactly `length` code points (as JSON Schema counts) that the document's pattern
 * accepts, its local part of `unit` (an emoji is one code point but two UTF-16 units).
 */
const emailOfLength = (length: number, unit = "a") => {
  const domain = `@${crypto.randomUUID().slice(0, 8)}.example.com`;
  return `${unit.repeat(length - domain.length)}${domain}`;
};

/** Strings valid by the schema: its shortest and longest (in code points, as JSON Schema counts). */
const BASE64URL = "^[A-Za-z0-9_-]+$";
const SIX_DIGITS = "^\\d{6}$";

/** A value for a message: its JSON, at most 40 code points (never half an emoji). */
const shown = (value: unknown) =>
  Array.from(JSON.stringify(value) ?? "undefined")
    .slice(0, 40)
    .join("");

function validStrings(schema: JsonSchema): unknown[] {
  if (schema.enum) return schema.enum;
  if (schema.const !== undefined) return [schema.const];
  // WebAuthn's binary fields: any base64url is valid by the document (the ceremony then judges it).
  if (schema.pattern === BASE64URL) return ["AAAA", "A".repeat(schema.maxLength ?? 64)];
  // A code from an authenticator app (the server then judges it: a wrong one is not a malformed one).
  if (schema.pattern === SIX_DIGITS) return ["123456"];
  if (schema.type === "integer") return [String(schema.minimum), String(schema.maximum)];
  // A mailed token: any 64 lowercase hex characters are valid by the document (unknown ones are
  // then refused for what they are, not for their form; see expectAccepted).
  if (schema.pattern === "^[0-9a-f]{64}$")
    return [[...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, "0")).join("")];
  if (schema.format === "uuid") return [crypto.randomUUID()];
  if (schema.pattern?.includes("@")) {
    const longest = schema.maxLength ? [emailOfLength(schema.maxLength), emailOfLength(schema.maxLength, "😀")] : [];
    return [uniqueEmail("doc"), ...longest];
  }
  const values: unknown[] = ["a".repeat(Math.max(schema.minLength ?? 1, 1))];
  // Where the document sets no bound, it promises any string: send the extremes, so a document
  // looser than the server fails here too.
  values.push(schema.maxLength ? "😀".repeat(schema.maxLength) : "x".repeat(5000));
  if (!schema.pattern && !schema.minLength) values.push(" ");
  return values;
}

/** Values invalid by the schema, each breaking one keyword. */
function invalidValues(schema: JsonSchema): unknown[] {
  const values: unknown[] = [42, null];
  if (schema.type === "integer")
    values.push(String(Number(schema.minimum) - 1), String(Number(schema.maximum) + 1), "1.5", "ten");
  if (schema.enum) values.push("not-one-of-them");
  if (schema.format === "uuid") values.push("not-a-uuid");
  if (schema.minLength) values.push("");
  if (schema.maxLength) {
    values.push(
      schema.pattern?.includes("@")
        ? emailOfLength(schema.maxLength + 1)
        : schema.pattern === BASE64URL
          ? "A".repeat(schema.maxLength + 1)
          : "😀".repeat(schema.maxLength + 1),
    );
  }
  if (schema.pattern === BASE64URL) values.push("not base64url!", "AAA=");
  if (schema.pattern === SIX_DIGITS) values.push("12345", "1234567", "abcdef");
  if (schema.const !== undefined) values.push(`not ${String(schema.const)}`);
  if (schema.pattern?.includes("@"))
    // C0, DEL and C1 control characters are "control characters" as the document says.
    values.push(
      "no-at-sign.example.com",
      "a@localhost",
      "two@at@example.com",
      "a b@c.de",
      "a\u0085b@c.de",
      "a\u007fb@c.de",
      "a,b@c.de",
      "x<a@b.co>",
      '"a"@b.co',
    );
  else if (schema.pattern) values.push("   ");
  return values;
}

const fillPath = (path: string, values: Record<string, string>) =>
  path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(values[name] ?? crypto.randomUUID()));

/** Credentials for the operation's security scheme, from a fresh user (so no case sees another's state). */
async function credentials(op: OperationObject, app: Fetcher): Promise<Record<string, string>> {
  const scheme = op.security ? Object.keys(op.security[0])[0] : null;
  if (scheme === "polkaApiKey") return { Authorization: `ApiKey ${env.POLKA_KEY}` };
  if (scheme === null) return {};
  const user = await newUser(app);
  return bearer(scheme === "refreshToken" ? user.refreshToken : user.token);
}

const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, path, method, op })),
);
const withBody = operations.filter((o) => o.op.requestBody);
const withParameters = operations.filter((o) => o.op.parameters?.length);

/** 400s that judge a well-formed value (a mailed token that is unknown, a passkey that does not verify), not its form. */
const NOT_VALIDATION = [
  INVALID_RESET_TOKEN,
  INVALID_VERIFICATION_TOKEN,
  INVALID_CANCEL_TOKEN,
  MALFORMED_CURSOR,
  INVALID_PASSKEY,
  INVALID_TOTP_CODE,
  TOTP_NOT_PENDING,
  TOTP_NOT_ENABLED,
];

async function expectAccepted(name: string, op: OperationObject, res: Response, what: string) {
  const documented = Object.keys(op.responses);
  expect(documented, `${name} ${what}: ${res.status} is documented`).toContain(String(res.status));
  if (res.status === 400)
    expect(NOT_VALIDATION, `${name} ${what}`).toContain((await res.json<{ error: string }>()).error);
}

/** The string fields of a body schema, nested objects included, each with its path and schema. */
function stringLeaves(schema: JsonSchema, at: string[] = []): [string[], JsonSchema][] {
  return Object.entries(resolve(schema).properties ?? {}).flatMap(([key, child]) => {
    const s = resolve(child);
    if (s.type === "object" && s.properties) return stringLeaves(s, [...at, key]);
    return s.type === "string" || s.const !== undefined ? [[[...at, key], s] as [string[], JsonSchema]] : [];
  });
}

/** A value valid by the schema: each property its first valid value, nested objects built alike. */
function validValue(schema: JsonSchema): unknown {
  const s = resolve(schema);
  if (s.type === "object" && s.properties) {
    return Object.fromEntries(Object.entries(s.properties).map(([key, child]) => [key, validValue(child)]));
  }
  // A webhook's data object (the one object without declared properties here).
  if (s.type === "object") return { user_id: crypto.randomUUID() };
  if (s.type === "array") return [];
  return validStrings(s)[0];
}

/** A copy of `body` with the value at `path` replaced (or removed, for undefined). */
function withValueAt(body: unknown, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(body) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = path[path.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

/** Every required field's path, nested objects included. */
function requiredPaths(schema: JsonSchema, at: string[] = []): string[][] {
  const s = resolve(schema);
  return (s.required ?? []).flatMap((key) => {
    const child = resolve(s.properties?.[key] ?? {});
    return [[...at, key], ...(child.type === "object" ? requiredPaths(child, [...at, key]) : [])];
  });
}

describe("request bodies: the document says what the server enforces", () => {
  it.each(withBody.map((o) => [o.name, o] as const))(
    "%s",
    async (name, { path, method, op }) => {
      const schema = op.requestBody?.content["application/json"].schema ?? {};
      const base = () => validValue(schema);
      const send = async (body: unknown) =>
        api(fillPath(path, {}), {
          method: method.toUpperCase(),
          headers: { "Content-Type": "application/json", ...(await credentials(op, api)) },
          body: JSON.stringify(body),
        });
      let cases = 0;
      for (const [at, s] of stringLeaves(schema)) {
        const where = at.join(".");
        for (const value of validStrings(s)) {
          await expectAccepted(name, op, await send(withValueAt(base(), at, value)), `${where}=${shown(value)}`);
          cases++;
        }
        for (const value of invalidValues(s)) {
          const res = await send(withValueAt(base(), at, value));
          expect(res.status, `${name} ${where}=${shown(value)}`).toBe(400);
          cases++;
        }
      }
      for (const at of requiredPaths(schema)) {
        expect((await send(withValueAt(base(), at, undefined))).status, `${name} without ${at.join(".")}`).toBe(400);
        cases++;
      }
      expect((await send([])).status, `${name} with an array`).toBe(400);
      expect(cases).toBeGreaterThan(2);
      // A case per field and keyword, each with a fresh user where the operation needs one.
    },
    60_000,
  );
});

describe("parameters: the document says what the server enforces", () => {
  it.each(withParameters.map((o) => [o.name, o] as const))("%s", async (name, { path, method, op }) => {
    const call = async (values: Record<string, unknown>) => {
      const query = new URLSearchParams();
      const pathValues: Record<string, string> = {};
      const headers = new Headers(await credentials(op, api));
      for (const p of op.parameters ?? []) {
        if (!(p.name in values)) continue;
        if (p.in === "path") pathValues[p.name] = String(values[p.name]);
        else if (p.in === "header") headers.set(p.name, String(values[p.name]));
        else query.set(p.name, String(values[p.name]));
      }
      const qs = query.size ? `?${query}` : "";
      if (op.requestBody) headers.set("Content-Type", "application/json");
      // Dev tools answer only on a loopback host.
      const host = path.startsWith("/admin/") ? "http://localhost:8787" : "";
      return api(`${host}${fillPath(path, pathValues)}${qs}`, {
        method: method.toUpperCase(),
        headers,
        ...(op.requestBody
          ? { body: JSON.stringify(validValue(op.requestBody.content["application/json"].schema)) }
          : {}),
      });
    };
    let cases = 0;
    for (const p of op.parameters ?? []) {
      for (const value of validStrings(p.schema)) {
        await expectAccepted(name, op, await call({ [p.name]: value }), `${p.name}=${value}`);
        cases++;
      }
      for (const value of invalidValues(p.schema).filter((v) => typeof v === "string")) {
        expect((await call({ [p.name]: value })).status, `${name} ${p.name}=${value}`).toBe(400);
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(1);
  });
});
