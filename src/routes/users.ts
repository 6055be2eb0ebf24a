import { Hono } from "hono";
import type { AppEnv } from "../middleware/context";
import { requireUser } from "../middleware/require-auth";
import { createUser, updateCredentials } from "../users/service";
import { credentialsSchema, jsonBody } from "../validation";
import { toUserJson } from "./serializers";

export const usersRoutes = new Hono<AppEnv>()
  .post("/", jsonBody(credentialsSchema), async (c) => {
    const user = await createUser(c.get("deps"), c.req.valid("json"), { ip: c.req.header("CF-Connecting-IP") ?? null });
    return c.json(toUserJson(user), 201);
  })
  .put("/", requireUser, jsonBody(credentialsSchema), async (c) => {
    const caller = { user: c.get("user"), sessionId: c.get("sessionId") };
    const user = await updateCredentials(c.get("deps"), caller, c.req.valid("json"));
    return c.json(toUserJson(user), 200);
  });
