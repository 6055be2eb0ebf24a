import { Hono } from "hono";
import { login } from "../auth/login";
import { refreshSession, revokeRefreshToken } from "../auth/refresh";
import type { AppEnv } from "../middleware/context";
import { requireBearer } from "../middleware/require-auth";
import { credentialsSchema, jsonBody } from "../validation";
import { toUserJson } from "./serializers";

export const authRoutes = new Hono<AppEnv>()
  .post("/login", jsonBody(credentialsSchema), async (c) => {
    const result = await login(c.get("deps"), c.req.valid("json"), {
      ip: c.req.header("CF-Connecting-IP") ?? null,
      userAgent: c.req.header("User-Agent") ?? null,
    });
    return c.json({ ...toUserJson(result.user), token: result.accessToken, refresh_token: result.refreshToken }, 200);
  })
  .post("/refresh", async (c) => {
    const result = await refreshSession(c.get("deps"), requireBearer(c));
    return c.json(
      result.refreshToken
        ? { token: result.accessToken, refresh_token: result.refreshToken }
        : { token: result.accessToken },
      200,
    );
  })
  .post("/revoke", async (c) => {
    await revokeRefreshToken(c.get("deps"), requireBearer(c));
    return c.body(null, 204);
  });
