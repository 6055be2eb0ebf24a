// Each operation is described once, beside its handler: `describeRoute(...)` is a pass-through
// middleware that carries the description, and the OpenAPI document (routes/openapi.ts) is built by
// walking the app's routes, so a route cannot exist undocumented or be documented at a wrong path.
// Inputs are not described here: the validators a route runs carry their schemas to the document.

import type { MiddlewareHandler } from "hono";
import type * as v from "valibot";
import type { ErrorCode } from "../errors";

type Security = "accessToken" | "refreshToken" | "refreshCookie" | "polkaApiKey";

/** An OpenAPI link: the operation a response leads to, and where its parameters come from. */
interface Link {
  operationId: string;
  description: string;
  parameters?: Record<string, string>;
  /** A runtime expression for the linked operation's body, e.g. "$request.body". */
  requestBody?: string;
}

export interface OperationDescription {
  summary: string;
  tag: string;
  /** The scheme, or alternatives of which any one is enough. */
  security?: Security | Security[];
  /**
   * Status → [description, body]: a response schema (routes/responses.ts), an array of one, "text",
   * "html", the error codes it may carry (errors(...)), or nothing.
   */
  responses: Record<number, [string, (v.GenericSchema | [v.GenericSchema] | "text" | "html" | ErrorAnswer)?]>;
  /** Status → links from that response to other operations (OpenAPI `links`). */
  links?: Record<number, Record<string, Link>>;
  /** Status → response headers it may carry: name → description (string values). */
  headers?: Record<number, Record<string, string>>;
}

const DESCRIPTION = Symbol("openapi-operation");
type Described = MiddlewareHandler & { [DESCRIPTION]?: OperationDescription };

/** A no-op middleware that carries the operation's description for the document. */
export function describeRoute(description: OperationDescription): MiddlewareHandler {
  const middleware: Described = async (_c, next) => {
    await next();
  };
  middleware[DESCRIPTION] = description;
  return middleware;
}

/** The description a route handler carries, if it is a describeRoute middleware. */
export const descriptionOf = (handler: unknown): OperationDescription | undefined =>
  (handler as Described)[DESCRIPTION];

/** An error response ({"error", "code"}) and the codes it may carry, each from the catalogue (errors.ts). */
export interface ErrorAnswer {
  codes: readonly ErrorCode[];
  /** Fields some of these answers carry besides error and code (an object schema's entries). */
  fields?: v.GenericSchema;
}

/** An error response that carries one of these codes (each must have the response's status). */
export const errors = (...codes: ErrorCode[]): ErrorAnswer => ({ codes });

/** The same, with fields besides error and code (optional ones: not every code carries them). */
export const errorsWith = (fields: v.GenericSchema, ...codes: ErrorCode[]): ErrorAnswer => ({ codes, fields });

export const isErrorAnswer = (body: unknown): body is ErrorAnswer =>
  typeof body === "object" && body !== null && "codes" in body;

/** What any operation may answer besides its own responses: the document's `default` response. */
export const ANY_OPERATION = {
  413: "body_too_large",
  500: ["internal_error", "misconfigured"],
} as const;

/** A JSON body that is not JSON, not an object, or has a wrong field. */
export const BODY_FAULTS = ["invalid_json", "not_a_json_object", "invalid_field"] as const satisfies ErrorCode[];

/** The 401 every access-token-protected operation can answer. */
export const UNAUTHORIZED: OperationDescription["responses"] = {
  401: [
    "Missing, malformed, invalid or expired credentials (WWW-Authenticate says which)",
    errors("missing_bearer", "invalid_access_token"),
  ],
};
