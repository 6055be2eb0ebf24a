import { Hono } from "hono";
import * as v from "valibot";
import { type AppEnv, clientIpOf } from "../middleware/context";
import { requireUser } from "../middleware/require-auth";
import { jsonBody, passkeyRegistrationSchema, uuid, validate } from "../middleware/validation";
import {
  addPasskey,
  authenticationOptions,
  deletePasskey,
  passkeysOf,
  registrationOptions,
  relyingPartyOf,
} from "../passkeys/service";
import { BODY_FAULTS, describeRoute, errors, UNAUTHORIZED } from "./describe";
import { creationOptionsSchema, passkeyResponseSchema, requestOptionsSchema, toPasskeyJson } from "./responses";

const passkeyIdSchema = v.object({ passkeyID: uuid("passkey id") });

export const passkeysRoutes = new Hono<AppEnv>()
  .post(
    "/registration-options",
    describeRoute({
      summary: "Start adding a passkey: creation options with a challenge for this user (5 minutes, single use)",
      tag: "passkeys",
      security: "accessToken",
      responses: { 200: ["Creation options (WebAuthn JSON)", creationOptionsSchema], ...UNAUTHORIZED },
    }),
    requireUser,
    async (c) => {
      const deps = c.get("deps");
      const caller = { user: c.get("user"), sessionId: c.get("sessionId") };
      return c.json(await registrationOptions(deps, caller, relyingPartyOf(deps, c.req.url)), 200);
    },
  )
  .post(
    "/",
    describeRoute({
      summary: "Add a passkey: the browser's answer to the creation options (the account's address is told)",
      tag: "passkeys",
      security: "accessToken",
      responses: {
        201: ["Added", passkeyResponseSchema],
        400: [
          "Invalid body, or a registration that does not verify (origin, RP id, challenge used, expired or another user's); nothing stored",
          errors(...BODY_FAULTS, "invalid_passkey"),
        ],
        ...UNAUTHORIZED,
        409: ["The passkey is already registered", errors("passkey_exists")],
      },
    }),
    requireUser,
    jsonBody(passkeyRegistrationSchema),
    async (c) => {
      const deps = c.get("deps");
      const caller = { user: c.get("user"), sessionId: c.get("sessionId") };
      const passkey = await addPasskey(deps, caller, c.req.valid("json"), relyingPartyOf(deps, c.req.url));
      return c.json(toPasskeyJson(passkey), 201);
    },
  )
  .get(
    "/",
    describeRoute({
      summary: "List the caller's passkeys, oldest first",
      tag: "passkeys",
      security: "accessToken",
      responses: { 200: ["Passkeys", [passkeyResponseSchema]], ...UNAUTHORIZED },
    }),
    requireUser,
    async (c) => {
      const passkeys = await passkeysOf(c.get("deps"), { user: c.get("user"), sessionId: c.get("sessionId") });
      return c.json(passkeys.map(toPasskeyJson), 200);
    },
  )
  .delete(
    "/:passkeyID",
    describeRoute({
      summary: "Remove one of the caller's passkeys",
      tag: "passkeys",
      security: "accessToken",
      responses: {
        204: ["Removed"],
        400: ["Malformed id", errors("invalid_field")],
        ...UNAUTHORIZED,
        404: ["No such passkey of the caller's", errors("passkey_not_found")],
      },
    }),
    requireUser,
    validate("param", passkeyIdSchema),
    async (c) => {
      const caller = { user: c.get("user"), sessionId: c.get("sessionId") };
      await deletePasskey(c.get("deps"), caller, c.req.valid("param").passkeyID);
      return c.body(null, 204);
    },
  )
  .post(
    "/authentication-options",
    describeRoute({
      summary: "Start a passkey sign-in: request options for a discoverable credential, with a fresh challenge",
      tag: "passkeys",
      responses: {
        200: ["Request options (WebAuthn JSON)", requestOptionsSchema],
        429: ["Too many challenges asked for from this network; see Retry-After", errors("too_many_logins")],
      },
    }),
    async (c) => {
      const deps = c.get("deps");
      const options = await authenticationOptions(deps, relyingPartyOf(deps, c.req.url), { ip: clientIpOf(c) });
      return c.json(options, 200);
    },
  );
