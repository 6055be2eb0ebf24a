import { type Context, Hono } from "hono";
import { type LoginResult, login } from "../auth/login";
import { refreshSession, revokeRefreshToken } from "../auth/refresh";
import { AppError, errorBody, MFA_REQUIRED, MISSING_BEARER, MISSING_SESSION_COOKIE, unauthorized } from "../errors";
import { completeSecondStep } from "../mfa/service";
import { type AppEnv, clientIpOf } from "../middleware/context";
import {
  clearRefreshCookie,
  deviceCookieOf,
  presentedRefreshToken,
  SESSION_HEADER,
  type SessionModeEnv,
  sessionMode,
  setDeviceCookie,
  setRefreshCookie,
} from "../middleware/session-cookie";
import { credentialsSchema, jsonBody, passkeyAssertionSchema, secondStepSchema } from "../middleware/validation";
import { loginWithPasskey, relyingPartyOf } from "../passkeys/service";
import { BODY_FAULTS, describeRoute, type ErrorAnswer, errors, errorsWith } from "./describe";
import { loginResponseSchema, mfaRequiredFields, refreshResponseSchema, toLoginJson, toRefreshJson } from "./responses";

const withRefreshToken = { "header.Authorization": "Bearer {$response.body#/refresh_token}" };
const COOKIE_MODE_REFUSED: [string, ErrorAnswer] = [
  `Cookie mode refused: the cookie without ${SESSION_HEADER}: cookie, or a foreign Origin; nothing changed`,
  errors("cookie_needs_session_header", "cookie_mode_origin_refused"),
];
/** A ${SESSION_HEADER} header with a value other than "cookie". */
const BAD_SESSION_HEADER: [string, ErrorAnswer] = [
  `${SESSION_HEADER} is present but not "cookie"`,
  errors("invalid_field"),
];

/** A login's answer: the body, the device cookie, and in cookie mode the refresh token as the HttpOnly cookie. */
function answerLogin(c: Context<SessionModeEnv>, result: LoginResult) {
  setDeviceCookie(c, result.deviceCookie);
  if (!c.get("cookieMode")) return c.json(toLoginJson(result.user, result), 200);
  setRefreshCookie(c, result.refreshToken, result.expiresAt);
  return c.json(toLoginJson(result.user, { ...result, refreshToken: null }), 200);
}

export const authRoutes = new Hono<AppEnv>()
  .post(
    "/login",
    describeRoute({
      summary: "Log in: opens a session with an access token and a refresh token",
      tag: "auth",
      responses: {
        200: ["Logged in", loginResponseSchema],
        400: ["Invalid body", errors(...BODY_FAULTS, "invalid_email")],
        401: ["Incorrect email or password", errors("incorrect_credentials")],
        403: [
          "Two-factor authentication is on: no session yet, an mfa_token for POST /api/login/mfa (code mfa_required); or the address is not verified yet (REQUIRE_VERIFIED_EMAIL), or cookie mode from a foreign Origin",
          errorsWith(mfaRequiredFields, "mfa_required", "email_not_verified", "cookie_mode_origin_refused"),
        ],
        429: ["Too many failed attempts; see Retry-After", errors("too_many_logins")],
      },
      links: {
        200: {
          refresh: {
            operationId: "postApiRefresh",
            description: "Trade the refresh token",
            parameters: withRefreshToken,
          },
          revoke: { operationId: "postApiRevoke", description: "End the session", parameters: withRefreshToken },
          postChirp: {
            operationId: "postApiChirps",
            description: "Post with the access token",
            parameters: { "header.Authorization": "Bearer {$response.body#/token}" },
          },
        },
      },
    }),
    sessionMode,
    jsonBody(credentialsSchema),
    async (c) => {
      const result = await login(c.get("deps"), c.req.valid("json"), {
        ip: clientIpOf(c),
        userAgent: c.req.header("User-Agent") ?? null,
        deviceCookie: deviceCookieOf(c),
      });
      if ("mfaRequired" in result) {
        // No token, no cookie of any kind: the session waits for the second step.
        const { mfaToken, methods } = result.mfaRequired;
        return c.json({ ...errorBody(MFA_REQUIRED, 403), mfa_token: mfaToken, methods: [...methods] }, 403);
      }
      return answerLogin(c, result);
    },
  )
  .post(
    "/login/mfa",
    describeRoute({
      summary:
        "The second step of a login with two-factor authentication on: the mfa_token and a TOTP or recovery code (the answer of /api/login)",
      tag: "auth",
      responses: {
        200: ["Logged in", loginResponseSchema],
        400: ["Invalid body", errors(...BODY_FAULTS)],
        401: ["A wrong or used code, or an expired, spent or killed mfa_token", errors("mfa_failed")],
        403: ["Cookie mode from a foreign Origin", errors("cookie_mode_origin_refused")],
        429: ["Too many wrong codes for this account; see Retry-After", errors("too_many_logins")],
      },
    }),
    sessionMode,
    jsonBody(secondStepSchema),
    async (c) => {
      const result = await completeSecondStep(c.get("deps"), c.req.valid("json"), {
        ip: clientIpOf(c),
        userAgent: c.req.header("User-Agent") ?? null,
        deviceCookie: deviceCookieOf(c),
      });
      return answerLogin(c, result);
    },
  )
  .post(
    "/login/passkey",
    describeRoute({
      summary:
        "Sign in with a passkey: the answer to /api/passkeys/authentication-options' challenge (the same answer as /api/login; amr hwk)",
      tag: "auth",
      responses: {
        200: ["Signed in", loginResponseSchema],
        400: ["Invalid body", errors(...BODY_FAULTS)],
        401: [
          "Unknown passkey, bad signature, used or expired challenge, wrong origin, or a counter that went back",
          errors("passkey_login_failed"),
        ],
        403: [
          "The address is not verified yet (REQUIRE_VERIFIED_EMAIL), or cookie mode from a foreign Origin",
          errors("email_not_verified", "cookie_mode_origin_refused"),
        ],
        429: ["Too many attempts from this network; see Retry-After", errors("too_many_logins")],
      },
    }),
    sessionMode,
    jsonBody(passkeyAssertionSchema),
    async (c) => {
      const deps = c.get("deps");
      const result = await loginWithPasskey(deps, c.req.valid("json"), relyingPartyOf(deps, c.req.url), {
        ip: clientIpOf(c),
        userAgent: c.req.header("User-Agent") ?? null,
        deviceCookie: deviceCookieOf(c),
      });
      return answerLogin(c, result);
    },
  )
  .post(
    "/refresh",
    describeRoute({
      summary: "Trade a refresh token for a new access token (and a new refresh token with rotation on)",
      tag: "auth",
      security: ["refreshToken", "refreshCookie"],
      responses: {
        200: ["New access token (cookie mode, rotation on: the successor replaces the cookie)", refreshResponseSchema],
        400: BAD_SESSION_HEADER,
        401: [
          "No refresh token (no Authorization header; in cookie mode no cookie), or one that is unknown, revoked, expired or reused",
          errors("missing_bearer", "missing_session_cookie", "invalid_refresh_token"),
        ],
        403: COOKIE_MODE_REFUSED,
      },
    }),
    sessionMode,
    async (c) => {
      const { token, via } = presentedRefreshToken(c);
      if (via === "bearer") {
        const result = await refreshSession(c.get("deps"), token ?? missing(MISSING_BEARER));
        return c.json(toRefreshJson({ ...result, refreshToken: result.successor?.refreshToken }), 200);
      }
      try {
        const result = await refreshSession(c.get("deps"), token ?? missing(MISSING_SESSION_COOKIE));
        if (result.successor) setRefreshCookie(c, result.successor.refreshToken, result.successor.expiresAt);
        return c.json(toRefreshJson(result), 200);
      } catch (error) {
        // The cookie no longer opens anything (revoked, expired, reused): the browser may drop it.
        if (error instanceof AppError && error.status === 401) clearRefreshCookie(c);
        throw error;
      }
    },
  )
  .post(
    "/revoke",
    describeRoute({
      summary: "Revoke a refresh token and end its session (RFC 7009: unknown tokens are a no-op)",
      tag: "auth",
      security: ["refreshToken", "refreshCookie"],
      responses: {
        204: ["Revoked (cookie mode: the cookie is cleared, also when there was none)"],
        400: BAD_SESSION_HEADER,
        401: ["Missing or malformed Authorization header", errors("missing_bearer")],
        403: COOKIE_MODE_REFUSED,
      },
    }),
    sessionMode,
    async (c) => {
      const { token, via } = presentedRefreshToken(c);
      if (via === "bearer") {
        await revokeRefreshToken(c.get("deps"), token ?? missing(MISSING_BEARER));
        return c.body(null, 204);
      }
      // Logging out twice, or after the cookie expired, is still a logout.
      if (token) await revokeRefreshToken(c.get("deps"), token);
      clearRefreshCookie(c);
      return c.body(null, 204);
    },
  );

function missing(message: string): never {
  throw unauthorized(message);
}
