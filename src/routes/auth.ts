import { Hono } from "hono";
import { login, refreshAccessToken, revokeRefreshToken } from "../auth/service";
import type { AppEnv } from "../context";
import { credentialsSchema, jsonBody } from "../validation";
import { requireBearer } from "./bearer";
import { toUserJson } from "./serializers";

export const authRoutes = new Hono<AppEnv>()
  .post("/login", jsonBody(credentialsSchema), async (c) => {
    const result = await login(c.get("deps"), c.req.valid("json"));
    return c.json({ ...toUserJson(result.user), token: result.accessToken, refresh_token: result.refreshToken }, 200);
  })
  .post("/refresh", async (c) => {
    const token = await refreshAccessToken(c.get("deps"), requireBearer(c));
    return c.json({ token }, 200);
  })
  .post("/revoke", async (c) => {
    await revokeRefreshToken(c.get("deps"), requireBearer(c));
    return c.body(null, 204);
  });
