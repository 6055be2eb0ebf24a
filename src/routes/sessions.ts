import { Hono } from "hono";
import { endAllSessions, endSession, listSessions } from "../auth/sessions";
import type { AppEnv } from "../context";
import { sessionIdSchema, validate } from "../validation";
import { requireUser } from "./bearer";
import { toSessionJson } from "./serializers";

export const sessionsRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .get("/", async (c) => {
    const sessions = await listSessions(c.get("deps"), c.get("user").id);
    return c.json(
      sessions.map((session) => toSessionJson(session, c.get("sessionId"))),
      200,
    );
  })
  .delete("/", async (c) => {
    await endAllSessions(c.get("deps"), { userId: c.get("user").id, sessionId: c.get("sessionId") });
    return c.body(null, 204);
  })
  .delete("/:sessionID", validate("param", sessionIdSchema), async (c) => {
    const caller = { userId: c.get("user").id, sessionId: c.get("sessionId") };
    await endSession(c.get("deps"), caller, c.req.valid("param").sessionID);
    return c.body(null, 204);
  });
