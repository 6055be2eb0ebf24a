import { Hono } from "hono";
import * as v from "valibot";
import { OPAQUE_TOKEN_PATTERN } from "../auth/tokens";
import { invalidField } from "../errors";
import { type AppEnv, clientIpOf, mailMetaOf } from "../middleware/context";
import { requireUser } from "../middleware/require-auth";
import { email, jsonBody, named, password } from "../middleware/validation";
import {
  cancelPendingEmailChange,
  confirmEmailVerification,
  confirmPasswordReset,
  requestPasswordReset,
  resendVerification,
} from "../recovery/service";
import { BODY_FAULTS, describeRoute, errors, UNAUTHORIZED } from "./describe";
import { acceptedResponseSchema } from "./responses";

const token = v.pipe(
  v.string(invalidField.notString("token")),
  v.regex(OPAQUE_TOKEN_PATTERN, invalidField.notToken("token")),
  v.description("The token from the mail's link (after #token=) or its text"),
);

const resetRequestSchema = named("PasswordResetRequest", v.object({ email }));
const resetConfirmSchema = named("PasswordResetConfirm", v.object({ token, password }));
const verificationConfirmSchema = named("EmailVerificationConfirm", v.object({ token }));
const cancelEmailChangeSchema = named("EmailChangeCancel", v.object({ token }));

export const recoveryRoutes = new Hono<AppEnv>()
  .post(
    "/password-resets",
    describeRoute({
      summary: "Ask for a password reset mail: 202 {} whatever the address (no oracle; the work runs after the answer)",
      tag: "auth",
      responses: {
        202: [
          "Accepted. A registered address gets a mail with a link and the token, within its budgets",
          acceptedResponseSchema,
        ],
        400: ["Invalid body", errors(...BODY_FAULTS, "invalid_email")],
      },
    }),
    jsonBody(resetRequestSchema),
    (c) => {
      requestPasswordReset(c.get("deps"), c.req.valid("json").email, mailMetaOf(c));
      return c.json({}, 202);
    },
  )
  .post(
    "/password-resets/confirm",
    describeRoute({
      summary: "Set a new password with a reset token: ends every session of the user",
      tag: "auth",
      responses: {
        204: ["Password set; every session (refresh and access tokens) ended; the login lock cleared"],
        400: [
          "Invalid body, or a wrong, used, replaced or expired token (nothing changed)",
          errors(...BODY_FAULTS, "invalid_reset_token"),
        ],
      },
    }),
    jsonBody(resetConfirmSchema),
    async (c) => {
      const { token, password } = c.req.valid("json");
      await confirmPasswordReset(c.get("deps"), token, password, { ip: clientIpOf(c) });
      return c.body(null, 204);
    },
  )
  .post(
    "/email-verifications",
    describeRoute({
      summary: "Send the verification mail again (nothing is sent for a verified address)",
      tag: "users",
      security: "accessToken",
      responses: {
        202: ["Accepted", acceptedResponseSchema],
        ...UNAUTHORIZED,
        429: ["Too many verification mails; see Retry-After", errors("too_many_verification_mails")],
      },
    }),
    requireUser,
    async (c) => {
      await resendVerification(c.get("deps"), c.get("user"), mailMetaOf(c));
      return c.json({}, 202);
    },
  )
  .post(
    "/email-verifications/confirm",
    describeRoute({
      summary: "Confirm an email address with the token mailed to it",
      tag: "users",
      responses: {
        204: ["Verified (a pending new address: now the account's address)"],
        400: [
          "Invalid body, or a wrong, used, expired token, or one sent to a former address",
          errors(...BODY_FAULTS, "invalid_verification_token"),
        ],
        409: ["The pending address was registered by someone else meanwhile", errors("email_taken")],
      },
    }),
    jsonBody(verificationConfirmSchema),
    async (c) => {
      await confirmEmailVerification(c.get("deps"), c.req.valid("json").token, { ip: clientIpOf(c) });
      return c.body(null, 204);
    },
  )
  .post(
    "/email-changes/cancel",
    describeRoute({
      summary: "Cancel a pending email change with the token mailed to the current address",
      tag: "users",
      responses: {
        204: ["Cancelled: the new address's link no longer works"],
        400: [
          "Invalid body, or a wrong, used or expired token, or nothing pending",
          errors(...BODY_FAULTS, "invalid_cancel_token"),
        ],
      },
    }),
    jsonBody(cancelEmailChangeSchema),
    async (c) => {
      await cancelPendingEmailChange(c.get("deps"), c.req.valid("json").token);
      return c.body(null, 204);
    },
  );
