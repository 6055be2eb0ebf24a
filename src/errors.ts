// The one error type services throw, and the catalogue of public messages.
// Anything that is not an AppError becomes a plain 500 in app.onError.

import type { ContentfulStatusCode } from "hono/utils/http-status";

export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const unauthorized = (message = "Unauthorized") => new AppError(401, message);
export const badRequest = (message: string) => new AppError(400, message);
export const notFound = (message = "Not found") => new AppError(404, message);
export const forbidden = (message = "Forbidden") => new AppError(403, message);
export const tooManyRequests = (retryAfterSeconds: number) =>
  new AppError(429, "Too many failed login attempts; try again later", { "Retry-After": String(retryAfterSeconds) });
export const conflict = (message: string) => new AppError(409, message);

/** A deployment mistake (e.g. a missing secret): public message stays vague, the log says what. */
export class MisconfigurationError extends AppError {
  constructor(readonly detail: string) {
    super(500, "Server misconfigured");
    this.name = "MisconfigurationError";
  }
}
