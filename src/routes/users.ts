import { Hono } from "hono";
import { type AppEnv, mailMetaOf } from "../middleware/context";
import { requireUser } from "../middleware/require-auth";
import { credentialChangeSchema, credentialsSchema, jsonBody } from "../middleware/validation";
import { accountFacts, createUser, updateCredentials } from "../users/service";
import { BODY_FAULTS, describeRoute, errors, UNAUTHORIZED } from "./describe";
import { meResponseSchema, toUserJson, userResponseSchema } from "./responses";

export const usersRoutes = new Hono<AppEnv>()
  .post(
    "/",
    describeRoute({
      summary: "Sign up (sends a verification mail to the address)",
      tag: "users",
      responses: {
        201: ["Created", userResponseSchema],
        400: ["Invalid body", errors(...BODY_FAULTS, "invalid_email")],
        409: ["Email already registered", errors("email_taken")],
        429: ["Too many sign-ups from this network; see Retry-After", errors("too_many_signups")],
      },
      links: {
        201: {
          login: {
            operationId: "postApiLogin",
            description: "Log in with the email and password just signed up with",
            requestBody: "$request.body",
          },
        },
      },
    }),
    jsonBody(credentialsSchema),
    async (c) => {
      const user = await createUser(c.get("deps"), c.req.valid("json"), mailMetaOf(c));
      return c.json(toUserJson(user), 201);
    },
  )
  .put(
    "/",
    describeRoute({
      summary:
        "Change the email, the password, or both (what the body leaves out stays; a new password ends all sessions; a new address is unverified until confirmed, and the old one is told)",
      tag: "users",
      security: "accessToken",
      responses: {
        200: ["Updated", userResponseSchema],
        400: ["Invalid body", errors(...BODY_FAULTS, "invalid_email")],
        ...UNAUTHORIZED,
        409: ["Email taken", errors("email_taken")],
        429: [
          "Too many credential changes, or email probes from this network; see Retry-After",
          errors("too_many_password_changes", "too_many_signups"),
        ],
      },
    }),
    requireUser,
    jsonBody(credentialChangeSchema),
    async (c) => {
      const caller = { user: c.get("user"), sessionId: c.get("sessionId") };
      const user = await updateCredentials(c.get("deps"), caller, c.req.valid("json"), mailMetaOf(c));
      return c.json(toUserJson(user), 200);
    },
  )
  .get(
    "/me",
    describeRoute({
      summary: "The caller's account: the user, how many passkeys can sign in to it, and its two-factor state",
      tag: "users",
      security: "accessToken",
      responses: { 200: ["The caller", meResponseSchema], ...UNAUTHORIZED },
    }),
    requireUser,
    async (c) => {
      const user = c.get("user");
      return c.json({ ...toUserJson(user), ...(await accountFacts(c.get("deps"), user)) }, 200);
    },
  );
