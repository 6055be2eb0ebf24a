import { Hono } from "hono";
import { login } from "../auth/login";
import { refreshSession, revokeRefreshToken } from "../auth/refresh";
import type { AppEnv } from "../middleware/context";
import { requireBearer } from "../middleware/require-auth";
import { credentialsSchema, jsonBody } from "../middleware/validation";
import { describeRoute, E, UNAUTHORIZED } from "./describe";
import { loginResponseSchema, refreshResponseSchema, toLoginJson, toRefreshJson } from "./responses";

const withRefreshToken = { "header.Authorization": "Bearer {$response.body#/refresh_token}" };

export const authRoutes = new Hono<AppEnv>()
  .post(
    "/login",
    describeRoute({
      summary: "Log in: opens a session with an access token and a refresh token",
      tag: "auth",
      responses: {
        200: ["Logged in", loginResponseSchema],
        400: ["Invalid body", E],
        401: ["Incorrect email or password", E],
        429: ["Too many failed attempts; see Retry-After", E],
      },
      links: {
        200: {
          refresh: {
            operationId: "postApiRefresh",
            description: "Trade the refresh token",
            parameters: withRefreshToken,
          },
          revoke: { operationId: "postApiRevoke", description: "End the session", parameters: withRefreshToken },
          postChirp: {
            operationId: "postApiChirps",
            description: "Post with the access token",
            parameters: { "header.Authorization": "Bearer {$response.body#/token}" },
          },
        },
      },
    }),
    jsonBody(credentialsSchema),
    async (c) => {
      const result = await login(c.get("deps"), c.req.valid("json"), {
        ip: c.req.header("CF-Connecting-IP") ?? null,
        userAgent: c.req.header("User-Agent") ?? null,
      });
      return c.json(toLoginJson(result.user, result), 200);
    },
  )
  .post(
    "/refresh",
    describeRoute({
      summary: "Trade a refresh token for a new access token (and a new refresh token with rotation on)",
      tag: "auth",
      security: "refreshToken",
      responses: { 200: ["New access token", refreshResponseSchema], ...UNAUTHORIZED },
    }),
    async (c) => {
      const result = await refreshSession(c.get("deps"), requireBearer(c));
      return c.json(toRefreshJson(result), 200);
    },
  )
  .post(
    "/revoke",
    describeRoute({
      summary: "Revoke a refresh token and end its session (RFC 7009: unknown tokens are a no-op)",
      tag: "auth",
      security: "refreshToken",
      responses: { 204: ["Revoked"], 401: ["Missing or malformed Authorization header", E] },
    }),
    async (c) => {
      await revokeRefreshToken(c.get("deps"), requireBearer(c));
      return c.body(null, 204);
    },
  );
