import { Hono } from "hono";
import * as v from "valibot";
import { confirmTotpEnrolment, regenerateRecoveryCodes, startTotpEnrolment, turnOffTotp } from "../mfa/service";
import type { AppEnv } from "../middleware/context";
import { requireUser } from "../middleware/require-auth";
import { anyCodeSchema, codeSchema, jsonBody, named, passwordSchema } from "../middleware/validation";
import type { User } from "../users/service";
import { BODY_FAULTS, describeRoute, errors, UNAUTHORIZED } from "./describe";

const enrolmentSchema = named(
  "TotpEnrolment",
  v.object({
    secret: v.pipe(v.string(), v.description("The secret, base32 (RFC 4648), for typing into an authenticator app")),
    otpauth_uri: v.pipe(v.string(), v.description("otpauth://totp/… for a QR code: SHA1, 6 digits, 30 s")),
  }),
);
const recoveryCodesSchema = named(
  "RecoveryCodes",
  v.object({
    recovery_codes: v.pipe(v.array(v.string()), v.description("Ten single-use codes, shown once: keep them safe")),
  }),
);
const caller = (c: { get(key: "user"): User; get(key: "sessionId"): string }) => ({
  user: c.get("user"),
  sessionId: c.get("sessionId"),
});

export const mfaRoutes = new Hono<AppEnv>()
  .post(
    "/totp",
    describeRoute({
      summary:
        "Start turning on two-factor authentication: the password again → a new TOTP secret (pending until confirmed)",
      tag: "mfa",
      security: "accessToken",
      responses: {
        200: ["The secret to enrol", enrolmentSchema],
        400: ["Invalid body", errors(...BODY_FAULTS)],
        401: [
          "A wrong password (it counts toward the account's failure budget), or missing or invalid credentials",
          errors("missing_bearer", "invalid_access_token", "incorrect_credentials"),
        ],
        429: ["Too many wrong passwords for this account; see Retry-After", errors("too_many_logins")],
      },
    }),
    requireUser,
    jsonBody(passwordSchema),
    async (c) => c.json(await startTotpEnrolment(c.get("deps"), caller(c), c.req.valid("json").password), 200),
  )
  .post(
    "/totp/confirm",
    describeRoute({
      summary: "Turn two-factor authentication on: a code from the pending secret → ten recovery codes",
      tag: "mfa",
      security: "accessToken",
      responses: {
        200: ["On; the recovery codes, shown once", recoveryCodesSchema],
        400: [
          "Invalid body, a wrong code, or no enrolment under way",
          errors(...BODY_FAULTS, "invalid_totp_code", "totp_not_pending"),
        ],
        ...UNAUTHORIZED,
      },
    }),
    requireUser,
    jsonBody(codeSchema),
    async (c) => c.json(await confirmTotpEnrolment(c.get("deps"), caller(c), c.req.valid("json").code), 200),
  )
  .post(
    "/recovery-codes",
    describeRoute({
      summary: "Ten new recovery codes for a current TOTP code; the old ones stop working",
      tag: "mfa",
      security: "accessToken",
      responses: {
        200: ["The new codes, shown once", recoveryCodesSchema],
        400: [
          "Invalid body, a wrong or used code, or two-factor authentication is off",
          errors(...BODY_FAULTS, "invalid_totp_code", "totp_not_enabled"),
        ],
        ...UNAUTHORIZED,
      },
    }),
    requireUser,
    jsonBody(codeSchema),
    async (c) => c.json(await regenerateRecoveryCodes(c.get("deps"), caller(c), c.req.valid("json").code), 200),
  )
  .delete(
    "/totp",
    describeRoute({
      summary: "Turn two-factor authentication off with a TOTP or recovery code (the recovery codes go too)",
      tag: "mfa",
      security: "accessToken",
      responses: {
        204: ["Off"],
        400: [
          "Invalid body, a wrong or used code, or two-factor authentication is off",
          errors(...BODY_FAULTS, "invalid_totp_code", "totp_not_enabled"),
        ],
        ...UNAUTHORIZED,
      },
    }),
    requireUser,
    jsonBody(anyCodeSchema),
    async (c) => {
      await turnOffTotp(c.get("deps"), caller(c), c.req.valid("json").code);
      return c.body(null, 204);
    },
  );
