// The one error type services throw, and the catalogue of public errors (code, status, message).
// Anything that is not an AppError becomes a plain 500 in app.onError. Every error answer is
// {"error": <message>, "code": <code>}.

/** The statuses the API answers errors with (a subset of Hono's ContentfulStatusCode). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500 | 503;

/**
 * Every public error, named once: its code (what clients branch on, stable), its status and its
 * message (what people read; the course's clients read only `error`, so the text stays as it was).
 * Tests compare against these names, and docs/api.md's table of codes is checked against this one.
 */
export const ERRORS = {
  // 400
  bad_request: { status: 400, message: "Bad request" },
  invalid_json: { status: 400, message: "Request body is not valid JSON" },
  not_a_json_object: { status: 400, message: "Request body must be a JSON object" },
  invalid_email: { status: 400, message: "email is not a valid email address" },
  user_id_not_uuid: { status: 400, message: "data.user_id must be a UUID" },
  invalid_reset_token: {
    status: 400,
    message: "Invalid or expired password reset token: each link works once, for a limited time; ask for a new one",
  },
  invalid_verification_token: {
    status: 400,
    message:
      "Invalid or expired email verification token (links work once, for the address they were sent to); ask for a new one",
  },
  invalid_cancel_token: {
    status: 400,
    message: "Invalid or expired link to cancel an email change (it works once, while the change is pending)",
  },
  malformed_cursor: { status: 400, message: 'cursor is malformed: pass the cursor of a Link rel="next" URL unchanged' },
  foreign_cursor: {
    status: 400,
    message: "cursor belongs to another listing: keep sort and author_id as they were for the first page",
  },
  invalid_passkey: {
    status: 400,
    message:
      "The passkey could not be verified (its origin, RP id or challenge is wrong, or the challenge was used or expired); nothing was stored",
  },
  invalid_totp_code: { status: 400, message: "The code is wrong, or was already used" },
  totp_not_pending: {
    status: 400,
    message: "No two-factor enrolment is under way: POST /api/mfa/totp starts one",
  },
  totp_not_enabled: { status: 400, message: "Two-factor authentication is not on for this account" },

  // 401
  invalid_access_token: { status: 401, message: "Invalid or expired access token" },
  invalid_refresh_token: { status: 401, message: "Invalid refresh token" },
  missing_session_cookie: { status: 401, message: "No session cookie (log in with X-Chirpy-Session: cookie first)" },
  missing_bearer: { status: 401, message: "Missing or malformed Authorization header (expected: Bearer <token>)" },
  incorrect_credentials: { status: 401, message: "Incorrect email or password" },
  polka_key_refused: { status: 401, message: "Missing or invalid API key" },
  passkey_login_failed: { status: 401, message: "Passkey sign-in failed" },
  mfa_failed: {
    status: 401,
    message: "The second step failed: a wrong or used code, or an expired or spent mfa_token",
  },
  // 403
  not_your_chirp: { status: 403, message: "You can only delete your own chirps" },
  reset_dev_only: { status: 403, message: "Reset is only allowed when PLATFORM=dev" },
  cross_site_refused: { status: 403, message: "Cross-site requests are refused" },
  loopback_only: {
    status: 403,
    message: "Dev tools answer only a loopback client on a loopback host name (localhost, 127.0.0.1, [::1])",
  },
  cookie_needs_session_header: {
    status: 403,
    message: "The session cookie is accepted only with the header X-Chirpy-Session: cookie",
  },
  cookie_mode_origin_refused: {
    status: 403,
    message:
      "This Origin may not use cookie mode (only the API's own origin and those in CORS_ORIGINS, named by Origin or Sec-Fetch-Site: same-origin)",
  },
  email_not_verified: {
    status: 403,
    message:
      "Email address not verified: follow the link in the verification mail (POST /api/email-verifications sends a new one)",
  },
  mfa_required: { status: 403, message: "A second factor is required" },

  // 404
  not_found: { status: 404, message: "Not found" },
  chirp_not_found: { status: 404, message: "Chirp not found" },
  session_not_found: { status: 404, message: "Session not found" },
  user_not_found: { status: 404, message: "User not found" },
  passkey_not_found: { status: 404, message: "Passkey not found" },
  // 409
  email_taken: { status: 409, message: "Email is already registered" },
  passkey_exists: { status: 409, message: "This passkey is already registered" },
  // 429
  too_many_logins: { status: 429, message: "Too many failed login attempts; try again later" },
  too_many_signups: { status: 429, message: "Too many sign-ups from this network; try again later" },
  too_many_password_changes: {
    status: 429,
    message: "Too many credential changes for this account; try again later",
  },
  too_many_verification_mails: {
    status: 429,
    message: "Too many verification mails for this account; try again later",
  },
  // 500, 503
  misconfigured: { status: 500, message: "Server misconfigured" },
  internal_error: { status: 500, message: "Internal server error" },
  database_unavailable: { status: 503, message: "Database unavailable" },
} as const satisfies Record<string, { status: ErrorStatus; message: string }>;

/** Codes whose message names its subject (a field, a limit): one code, many texts. */
export const TEMPLATED_ERRORS = {
  invalid_field: { status: 400, message: "<field> is required / must be a string / … (names the field)" },
  chirp_too_long: { status: 400, message: "Chirp is too long (max <n> characters)" },
  body_too_large: { status: 413, message: "Request body is larger than <n> bytes" },
} as const satisfies Record<string, { status: ErrorStatus; message: string }>;

export type ErrorCode = keyof typeof ERRORS | keyof typeof TEMPLATED_ERRORS;

// Which code each message is: the catalogue's, and every templated text as it is made (the
// schemas make theirs when their modules load).
const codeByMessage = new Map<string, ErrorCode>(
  Object.entries(ERRORS).map(([code, { message }]) => [message, code as ErrorCode]),
);
const templated =
  <A extends unknown[]>(code: keyof typeof TEMPLATED_ERRORS, text: (...args: A) => string) =>
  (...args: A): string => {
    const message = text(...args);
    codeByMessage.set(message, code);
    return message;
  };

/** The code of a public message (a 400 nobody named is a field's fault: invalid_field). */
const codeOf = (message: string, status: ErrorStatus = 400): ErrorCode =>
  codeByMessage.get(message) ?? (status === 400 ? "invalid_field" : "internal_error");

export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(
    readonly status: ErrorStatus,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "AppError";
    this.code = codeOf(message, status);
  }
}

// The messages under the names the code and the tests use.
export const BAD_REQUEST = ERRORS.bad_request.message;
export const INVALID_JSON = ERRORS.invalid_json.message;
export const NOT_A_JSON_OBJECT = ERRORS.not_a_json_object.message;
export const INVALID_EMAIL = ERRORS.invalid_email.message;
export const USER_ID_NOT_UUID = ERRORS.user_id_not_uuid.message;
export const INVALID_RESET_TOKEN = ERRORS.invalid_reset_token.message;
export const INVALID_VERIFICATION_TOKEN = ERRORS.invalid_verification_token.message;
export const MALFORMED_CURSOR = ERRORS.malformed_cursor.message;
export const FOREIGN_CURSOR = ERRORS.foreign_cursor.message;
export const INVALID_CANCEL_TOKEN = ERRORS.invalid_cancel_token.message;
export const chirpTooLong = templated("chirp_too_long", (max: number) => `Chirp is too long (max ${max} characters)`);
/** A request field's fault, said the same way for every field (the field as its dotted path). */
export const invalidField = {
  required: templated("invalid_field", (field: string) => `${field} is required`),
  notString: templated("invalid_field", (field: string) => `${field} must be a string`),
  notObject: templated("invalid_field", (field: string) => `${field} must be an object`),
  notUuid: templated("invalid_field", (field: string) => `${field} must be a UUID`),
  notBase64Url: templated("invalid_field", (field: string) => `${field} must be base64url`),
  notSixDigits: templated("invalid_field", (field: string) => `${field} must be six digits`),
  oneOf: templated("invalid_field", (a: string, b: string) => `give ${a} or ${b}`),
  atLeastOne: templated("invalid_field", (a: string, b: string) => `give ${a}, ${b} or both`),
  notToken: templated("invalid_field", (field: string) => `${field} must be 64 lowercase hexadecimal characters`),
  empty: templated("invalid_field", (field: string) => `${field} must not be empty`),
  tooLong: templated("invalid_field", (field: string, max: number) => `${field} must be at most ${max} characters`),
  notOneOf: templated(
    "invalid_field",
    (field: string, options: readonly string[]) => `${field} must be ${options.join(" or ")}`,
  ),
  notIntegerIn: templated(
    "invalid_field",
    (field: string, min: number, max: number) => `${field} must be a whole number from ${min} to ${max}`,
  ),
} as const;
export const INVALID_ACCESS_TOKEN = ERRORS.invalid_access_token.message;
export const INVALID_REFRESH_TOKEN = ERRORS.invalid_refresh_token.message;
export const MISSING_SESSION_COOKIE = ERRORS.missing_session_cookie.message;
export const MISSING_BEARER = ERRORS.missing_bearer.message;
export const INCORRECT_CREDENTIALS = ERRORS.incorrect_credentials.message;
export const POLKA_KEY_REFUSED = ERRORS.polka_key_refused.message;
export const NOT_YOUR_CHIRP = ERRORS.not_your_chirp.message;
export const RESET_DEV_ONLY = ERRORS.reset_dev_only.message;
export const CROSS_SITE_REFUSED = ERRORS.cross_site_refused.message;
export const LOOPBACK_ONLY = ERRORS.loopback_only.message;
export const COOKIE_NEEDS_SESSION_HEADER = ERRORS.cookie_needs_session_header.message;
export const COOKIE_MODE_ORIGIN_REFUSED = ERRORS.cookie_mode_origin_refused.message;
export const EMAIL_NOT_VERIFIED = ERRORS.email_not_verified.message;
export const NOT_FOUND = ERRORS.not_found.message;
export const CHIRP_NOT_FOUND = ERRORS.chirp_not_found.message;
export const SESSION_NOT_FOUND = ERRORS.session_not_found.message;
export const USER_NOT_FOUND = ERRORS.user_not_found.message;
export const EMAIL_TAKEN = ERRORS.email_taken.message;
export const INVALID_PASSKEY = ERRORS.invalid_passkey.message;
export const PASSKEY_LOGIN_FAILED = ERRORS.passkey_login_failed.message;
export const PASSKEY_NOT_FOUND = ERRORS.passkey_not_found.message;
export const PASSKEY_EXISTS = ERRORS.passkey_exists.message;
export const INVALID_TOTP_CODE = ERRORS.invalid_totp_code.message;
export const TOTP_NOT_PENDING = ERRORS.totp_not_pending.message;
export const TOTP_NOT_ENABLED = ERRORS.totp_not_enabled.message;
export const MFA_FAILED = ERRORS.mfa_failed.message;
export const MFA_REQUIRED = ERRORS.mfa_required.message;
export const bodyTooLarge = templated(
  "body_too_large",
  (maxBytes: number) => `Request body is larger than ${maxBytes} bytes`,
);
export const TOO_MANY_LOGINS = ERRORS.too_many_logins.message;
export const TOO_MANY_SIGNUPS = ERRORS.too_many_signups.message;
export const TOO_MANY_PASSWORD_CHANGES = ERRORS.too_many_password_changes.message;
export const TOO_MANY_VERIFICATION_MAILS = ERRORS.too_many_verification_mails.message;
export const MISCONFIGURED = ERRORS.misconfigured.message;
export const INTERNAL_ERROR = ERRORS.internal_error.message;
export const DATABASE_UNAVAILABLE = ERRORS.database_unavailable.message;

/** An error answer's body: the message people read and the code clients branch on. */
export const errorBody = (message: string, status: ErrorStatus = 400) => ({
  error: message,
  code: codeOf(message, status),
});

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
