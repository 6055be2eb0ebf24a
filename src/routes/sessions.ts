import { Hono } from "hono";
import type { AppEnv } from "../middleware/context";
import { requireAccessToken, requireUser } from "../middleware/require-auth";
import { endAllSessions, endSession, listSessions } from "../sessions/service";
import { sessionIdSchema, validate } from "../validation";
import { toSessionJson } from "./serializers";

// The deletes verify the token's signature only: their one statement carries the session check
// (one trip to the primary instead of two).
export const sessionsRoutes = new Hono<AppEnv>()
  .get("/", requireUser, async (c) => {
    const sessions = await listSessions(c.get("deps"), c.get("user").id);
    return c.json(
      sessions.map((session) => toSessionJson(session, c.get("sessionId"))),
      200,
    );
  })
  .delete("/", requireAccessToken, async (c) => {
    await endAllSessions(c.get("deps"), c.get("accessToken"));
    return c.body(null, 204);
  })
  .delete("/:sessionID", requireAccessToken, validate("param", sessionIdSchema), async (c) => {
    await endSession(c.get("deps"), c.get("accessToken"), c.req.valid("param").sessionID);
    return c.body(null, 204);
  });
