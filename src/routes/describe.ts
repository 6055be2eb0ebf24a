// Each operation is described once, beside its handler: `describeRoute(...)` is a pass-through
// middleware that carries the description, and the OpenAPI document (routes/openapi.ts) is built by
// walking the app's routes, so a route cannot exist undocumented or be documented at a wrong path.
// Inputs are not described here: the validators a route runs carry their schemas to the document.

import type { MiddlewareHandler } from "hono";
import type * as v from "valibot";
import { errorResponseSchema } from "./responses";

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
  /** Status → [description, body]: a response schema (routes/responses.ts), an array of one, "text", "html", or nothing. */
  responses: Record<number, [string, (v.GenericSchema | [v.GenericSchema] | "text" | "html")?]>;
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

export const E = errorResponseSchema;
/** The 401 every token-protected operation can answer. */
export const UNAUTHORIZED: OperationDescription["responses"] = {
  401: ["Missing, malformed, invalid or expired credentials (WWW-Authenticate says which)", E],
};
