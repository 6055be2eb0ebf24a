import { Hono } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../middleware/context";
import { requireAccessToken, requireUser } from "../middleware/require-auth";
import { uuid, validate } from "../middleware/validation";
import { endAllSessions, endSession, listSessions } from "../sessions/service";
import { describeRoute, errors, UNAUTHORIZED } from "./describe";
import { sessionResponseSchema, toSessionJson } from "./responses";

const sessionIdSchema = v.object({ sessionID: uuid("session id") });

// The deletes verify the token's signature only: their one statement carries the session check
// (one trip to the primary instead of two).
export const sessionsRoutes = new Hono<AppEnv>()
  .get(
    "/",
    describeRoute({
      summary: "List the caller's live sessions",
      tag: "sessions",
      security: "accessToken",
      responses: { 200: ["Sessions, newest first", [sessionResponseSchema]], ...UNAUTHORIZED },
    }),
    requireUser,
    async (c) => {
      const sessions = await listSessions(c.get("deps"), c.get("user").id);
      return c.json(
        sessions.map((session) => toSessionJson(session, c.get("sessionId"))),
        200,
      );
    },
  )
  .delete(
    "/",
    describeRoute({
      summary: "End all the caller's sessions (log out everywhere)",
      tag: "sessions",
      security: "accessToken",
      responses: { 204: ["Ended"], ...UNAUTHORIZED },
    }),
    requireAccessToken,
    async (c) => {
      await endAllSessions(c.get("deps"), c.get("accessToken"));
      return c.body(null, 204);
    },
  )
  .delete(
    "/:sessionID",
    describeRoute({
      summary: "End one of the caller's sessions",
      tag: "sessions",
      security: "accessToken",
      responses: {
        204: ["Ended"],
        400: ["Malformed id", errors("invalid_field")],
        ...UNAUTHORIZED,
        404: ["No such live session", errors("session_not_found")],
      },
    }),
    requireAccessToken,
    validate("param", sessionIdSchema),
    async (c) => {
      await endSession(c.get("deps"), c.get("accessToken"), c.req.valid("param").sessionID);
      return c.body(null, 204);
    },
  );
