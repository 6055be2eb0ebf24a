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

export const INVALID_ACCESS_TOKEN = "Invalid or expired access token";
export const INVALID_REFRESH_TOKEN = "Invalid refresh token";
export const MISSING_BEARER = "Missing or malformed Authorization header (expected: Bearer <token>)";
export const INCORRECT_CREDENTIALS = "Incorrect email or password";
export const TOO_MANY_LOGINS = "Too many failed login attempts; try again later";
export const TOO_MANY_SIGNUPS = "Too many sign-ups from this network; try again later";
export const EMAIL_TAKEN = "Email is already registered";
export const CROSS_SITE_REFUSED = "Cross-site requests are refused";

/**
 * 401 with its challenge (RFC 9110 §11.6.1 requires one; RFC 6750 §3): `Bearer` alone when no
 * token was presented, `error="invalid_token"` when one was presented and refused.
 */
export const unauthorized = (message: string, challenge = "Bearer") =>
  new AppError(401, message, { "WWW-Authenticate": challenge });
export const invalidToken = (message: string) => unauthorized(message, 'Bearer error="invalid_token"');
export const badRequest = (message: string) => new AppError(400, message);
export const notFound = (message = "Not found") => new AppError(404, message);
export const forbidden = (message = "Forbidden") => new AppError(403, message);
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new AppError(429, message, { "Retry-After": String(retryAfterSeconds) });
export const conflict = (message: string) => new AppError(409, message);

/** A deployment mistake (e.g. a missing secret): public message stays vague, the log says what. */
export class MisconfigurationError extends AppError {
  constructor(readonly detail: string) {
    super(500, "Server misconfigured");
    this.name = "MisconfigurationError";
  }
}
