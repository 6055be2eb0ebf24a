// The one error type services throw, and the catalogue of public messages.
// Anything that is not an AppError becomes a plain 500 in app.onError.

/** The statuses the API answers errors with (a subset of Hono's ContentfulStatusCode). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500 | 503;

export class AppError extends Error {
  constructor(
    readonly status: ErrorStatus,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

// Every public message, named once; tests compare against these names.
// 400
export const BAD_REQUEST = "Bad request";
export const INVALID_JSON = "Request body is not valid JSON";
export const NOT_A_JSON_OBJECT = "Request body must be a JSON object";
export const INVALID_EMAIL = "email is not a valid email address";
export const USER_ID_NOT_UUID = "data.user_id must be a UUID";
export const INVALID_RESET_TOKEN =
  "Invalid or expired password reset token (links work once, for PASSWORD_RESET_TTL_SECONDS); ask for a new one";
export const INVALID_VERIFICATION_TOKEN =
  "Invalid or expired email verification token (links work once, for the address they were sent to); ask for a new one";
export const MALFORMED_CURSOR = 'cursor is malformed: pass the cursor of a Link rel="next" URL unchanged';
export const FOREIGN_CURSOR =
  "cursor belongs to another listing: keep sort and author_id as they were for the first page";
export const INVALID_CANCEL_TOKEN =
  "Invalid or expired link to cancel an email change (it works once, while the change is pending)";
export const chirpTooLong = (max: number) => `Chirp is too long (max ${max} characters)`;
/** A request field's fault, said the same way for every field (the field as its dotted path). */
export const invalidField = {
  required: (field: string) => `${field} is required`,
  notString: (field: string) => `${field} must be a string`,
  notObject: (field: string) => `${field} must be an object`,
  notUuid: (field: string) => `${field} must be a UUID`,
  notToken: (field: string) => `${field} must be 64 lowercase hexadecimal characters`,
  empty: (field: string) => `${field} must not be empty`,
  tooLong: (field: string, max: number) => `${field} must be at most ${max} characters`,
  notOneOf: (field: string, options: readonly string[]) => `${field} must be ${options.join(" or ")}`,
  notIntegerIn: (field: string, min: number, max: number) => `${field} must be a whole number from ${min} to ${max}`,
} as const;
// 401
export const INVALID_ACCESS_TOKEN = "Invalid or expired access token";
export const INVALID_REFRESH_TOKEN = "Invalid refresh token";
export const MISSING_SESSION_COOKIE = "No session cookie (log in with X-Chirpy-Session: cookie first)";
export const MISSING_BEARER = "Missing or malformed Authorization header (expected: Bearer <token>)";
export const INCORRECT_CREDENTIALS = "Incorrect email or password";
export const POLKA_KEY_REFUSED = "Missing or invalid API key";
// 403
export const NOT_YOUR_CHIRP = "You can only delete your own chirps";
export const RESET_DEV_ONLY = "Reset is only allowed when PLATFORM=dev";
export const CROSS_SITE_REFUSED = "Cross-site requests are refused";
export const LOOPBACK_ONLY =
  "Dev tools answer only a loopback client on a loopback host name (localhost, 127.0.0.1, [::1])";
export const COOKIE_NEEDS_SESSION_HEADER =
  "The session cookie is accepted only with the header X-Chirpy-Session: cookie";
export const COOKIE_MODE_ORIGIN_REFUSED =
  "This Origin may not use cookie mode (only the API's own origin and those in CORS_ORIGINS, named by Origin or Sec-Fetch-Site: same-origin)";
export const EMAIL_NOT_VERIFIED =
  "Email address not verified: follow the link in the verification mail (POST /api/email-verifications sends a new one)";
// 404
export const NOT_FOUND = "Not found";
export const CHIRP_NOT_FOUND = "Chirp not found";
export const SESSION_NOT_FOUND = "Session not found";
export const USER_NOT_FOUND = "User not found";
// 409
export const EMAIL_TAKEN = "Email is already registered";
// 413
export const bodyTooLarge = (maxBytes: number) => `Request body is larger than ${maxBytes} bytes`;
// 429
export const TOO_MANY_LOGINS = "Too many failed login attempts; try again later";
export const TOO_MANY_SIGNUPS = "Too many sign-ups from this network; try again later";
export const TOO_MANY_PASSWORD_CHANGES = "Too many credential changes for this account; try again later";
export const TOO_MANY_VERIFICATION_MAILS = "Too many verification mails for this account; try again later";
// 500, 503
export const MISCONFIGURED = "Server misconfigured";
export const INTERNAL_ERROR = "Internal server error";
export const DATABASE_UNAVAILABLE = "Database unavailable";

/**
 * 401 with its challenge (RFC 9110 §11.6.1 requires one; RFC 6750 §3): `Bearer` alone when no
 * token was presented, `error="invalid_token"` when one was presented and refused.
 */
export const unauthorized = (message: string, challenge = "Bearer") =>
  new AppError(401, message, { "WWW-Authenticate": challenge });
export const invalidToken = (message: string) => unauthorized(message, 'Bearer error="invalid_token"');
export const badRequest = (message: string) => new AppError(400, message);
export const notFound = (message: string) => new AppError(404, message);
export const forbidden = (message: string) => new AppError(403, message);
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new AppError(429, message, { "Retry-After": String(retryAfterSeconds) });
export const conflict = (message: string) => new AppError(409, message);
export const payloadTooLarge = (maxBytes: number) => new AppError(413, bodyTooLarge(maxBytes));

/** A deployment mistake (e.g. a missing secret): public message stays vague, the log says what. */
export class MisconfigurationError extends AppError {
  constructor(readonly detail: string) {
    super(500, MISCONFIGURED);
    this.name = "MisconfigurationError";
  }
}
