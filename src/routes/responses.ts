// Response schemas (the Chirpy contract's snake_case) and the serializers typed from them: a
// field missing or extra fails to compile, and a hash never leaks by accident. The OpenAPI document
// uses the same schemas, and a test parses real responses with them.

import * as v from "valibot";
import { OPAQUE_TOKEN_PATTERN } from "../auth/tokens";
import type { Chirp } from "../chirps/service";
import { ERRORS, type ErrorCode, TEMPLATED_ERRORS } from "../errors";
import { named } from "../middleware/validation";
import type { Session } from "../sessions/service";
import type { User } from "../users/service";

const isoTimestamp = v.pipe(v.string(), v.isoTimestamp(), v.description("ISO 8601 UTC"));
const uuid = v.pipe(v.string(), v.uuid());

export const userResponseSchema = named(
  "User",
  v.object({
    id: uuid,
    created_at: isoTimestamp,
    updated_at: isoTimestamp,
    email: v.string(),
    is_chirpy_red: v.boolean(),
    email_verified: v.pipe(
      v.boolean(),
      v.description("true once the owner of the address followed a verification (or password reset) link sent to it"),
    ),
    pending_email: v.pipe(
      v.nullable(v.string()),
      v.description(
        "With REQUIRE_VERIFIED_EMAIL on: a new address asked for, applied when its owner follows the link sent to it (null: none)",
      ),
    ),
  }),
);

export const loginResponseSchema = named(
  "Login",
  v.object({
    ...userResponseSchema.entries,
    token: v.pipe(v.string(), v.description("Access token: an HS256 JWT, valid ACCESS_TOKEN_TTL_SECONDS")),
    refresh_token: v.optional(
      v.pipe(
        v.string(),
        v.regex(OPAQUE_TOKEN_PATTERN),
        v.description("Refresh token: 64 lowercase hex; absent in cookie mode (it is the HttpOnly cookie)"),
      ),
    ),
  }),
);

export const refreshResponseSchema = named(
  "Refresh",
  v.object({
    token: v.string(),
    refresh_token: v.optional(
      v.pipe(
        v.string(),
        v.regex(OPAQUE_TOKEN_PATTERN),
        v.description("Only with REFRESH_TOKEN_ROTATION=on, and not in cookie mode (the cookie is replaced)"),
      ),
    ),
  }),
);

export const chirpResponseSchema = named(
  "Chirp",
  v.object({
    id: uuid,
    created_at: isoTimestamp,
    updated_at: isoTimestamp,
    body: v.string(),
    user_id: uuid,
  }),
);

export const sessionResponseSchema = named(
  "Session",
  v.object({
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
  }),
);

/** The empty body of a 202 that must say nothing (e.g. whether an address is registered). */
export const acceptedResponseSchema = named("Accepted", v.strictObject({}));

/** A mail as the dev mailbox keeps it (PLATFORM=dev). */
export const keptMailResponseSchema = named(
  "KeptMail",
  v.object({ to: v.string(), subject: v.string(), text: v.string(), sent_at: isoTimestamp }),
);

export const passkeyResponseSchema = named(
  "Passkey",
  v.object({
    id: v.pipe(v.string(), v.uuid()),
    name: v.string(),
    created_at: v.pipe(v.string(), v.isoTimestamp(), v.description("ISO 8601 UTC")),
    last_used_at: v.nullable(
      v.pipe(v.string(), v.isoTimestamp(), v.description("ISO 8601 UTC; null until first used")),
    ),
  }),
);

export const toPasskeyJson = (passkey: {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}): v.InferOutput<typeof passkeyResponseSchema> => ({
  id: passkey.id,
  name: passkey.name,
  created_at: passkey.createdAt.toISOString(),
  last_used_at: passkey.lastUsedAt?.toISOString() ?? null,
});

/** GET /api/users/me: the user, and how many passkeys can sign in to the account. */
export const meResponseSchema = named(
  "Me",
  v.object({
    ...userResponseSchema.entries,
    passkeys: v.pipe(v.number(), v.integer(), v.minValue(0)),
    totp: v.pipe(v.boolean(), v.description("Whether a password login asks for a TOTP code")),
    recovery_codes_left: v.pipe(v.number(), v.integer(), v.minValue(0)),
  }),
);

const base64url = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]+$/));
/** WebAuthn creation options (PublicKeyCredentialCreationOptionsJSON), for parseCreationOptionsFromJSON(). */
export const creationOptionsSchema = named(
  "PasskeyCreationOptions",
  v.object({
    challenge: base64url,
    rp: v.object({ id: v.string(), name: v.string() }),
    user: v.object({ id: base64url, name: v.string(), displayName: v.string() }),
    pubKeyCredParams: v.array(v.object({ type: v.literal("public-key"), alg: v.number() })),
    timeout: v.number(),
    attestation: v.literal("none"),
    excludeCredentials: v.array(v.object({ type: v.literal("public-key"), id: base64url })),
    authenticatorSelection: v.object({
      residentKey: v.literal("required"),
      requireResidentKey: v.literal(true),
      userVerification: v.literal("preferred"),
    }),
  }),
);

/** WebAuthn request options (PublicKeyCredentialRequestOptionsJSON), for parseRequestOptionsFromJSON(). */
export const requestOptionsSchema = named(
  "PasskeyRequestOptions",
  v.object({
    challenge: base64url,
    rpId: v.string(),
    timeout: v.number(),
    userVerification: v.literal("preferred"),
    allowCredentials: v.array(v.object({ type: v.literal("public-key"), id: base64url })),
  }),
);

const ERROR_CODES = [...Object.keys(ERRORS), ...Object.keys(TEMPLATED_ERRORS)] as [ErrorCode, ...ErrorCode[]];

/** What POST /api/login's 403 mfa_required carries besides error and code: the second step's token and methods. */
export const mfaRequiredFields = v.object({
  mfa_token: v.optional(
    v.pipe(
      v.string(),
      v.regex(OPAQUE_TOKEN_PATTERN),
      v.description("mfa_required: for POST /api/login/mfa; 5 minutes, 5 wrong codes"),
    ),
  ),
  methods: v.optional(v.array(v.picklist(["totp", "recovery_code"] as const))),
});

export const errorResponseSchema = named(
  "Error",
  v.object({
    error: v.pipe(v.string(), v.description("What was wrong, for people (the text may change)")),
    code: v.pipe(
      v.picklist(ERROR_CODES),
      v.description("What was wrong, for programs: stable; branch on this, never on the text"),
    ),
  }),
);

export const toUserJson = (user: User): v.InferOutput<typeof userResponseSchema> => ({
  id: user.id,
  created_at: user.createdAt.toISOString(),
  updated_at: user.updatedAt.toISOString(),
  email: user.email,
  is_chirpy_red: user.isChirpyRed,
  email_verified: user.emailVerified,
  pending_email: user.pendingEmail,
});

/** A login's answer: the user, the access token and (bearer mode: not null) the refresh token. */
export const toLoginJson = (
  user: User,
  tokens: { accessToken: string; refreshToken: string | null },
): v.InferOutput<typeof loginResponseSchema> =>
  tokens.refreshToken
    ? { ...toUserJson(user), token: tokens.accessToken, refresh_token: tokens.refreshToken }
    : { ...toUserJson(user), token: tokens.accessToken };

/** A refresh's answer: the access token, and (bearer mode, rotation on) its successor refresh token. */
export const toRefreshJson = (tokens: {
  accessToken: string;
  refreshToken?: string;
}): v.InferOutput<typeof refreshResponseSchema> =>
  tokens.refreshToken
    ? { token: tokens.accessToken, refresh_token: tokens.refreshToken }
    : { token: tokens.accessToken };

export const toChirpJson = (chirp: Chirp): v.InferOutput<typeof chirpResponseSchema> => ({
  id: chirp.id,
  created_at: chirp.createdAt.toISOString(),
  updated_at: chirp.updatedAt.toISOString(),
  body: chirp.body,
  user_id: chirp.userId,
});

/** A session as its owner sees it: never the token or its hash. */
export const toSessionJson = (
  session: Session,
  currentSessionId: string,
): v.InferOutput<typeof sessionResponseSchema> => ({
  id: session.id,
  created_at: session.createdAt.toISOString(),
  last_used_at: session.lastUsedAt.toISOString(),
  expires_at: session.expiresAt.toISOString(),
  user_agent: session.userAgent,
  current: session.id === currentSessionId,
});
