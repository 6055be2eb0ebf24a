import { Hono } from "hono";
import type { AppEnv } from "../middleware/context";
import { devToolGuard } from "../middleware/dev-tool-guard";
import { checkDatabase, resetAllUsers } from "../ops/service";
import { describeRoute, E } from "./describe";

export const opsRoutes = new Hono<AppEnv>()
  .get(
    "/api/healthz",
    describeRoute({
      summary: "Health check (pings D1)",
      tag: "ops",
      responses: { 200: ["OK", "text"], 503: ["D1 is unreachable", E] },
    }),
    async (c) => {
      await checkDatabase(c.get("deps"));
      return c.text("OK", 200);
    },
  )
  .post(
    "/admin/reset",
    describeRoute({
      summary: "Delete all users (their tokens and chirps cascade); PLATFORM=dev only",
      tag: "ops",
      responses: {
        200: ["Deleted"],
        403: ["PLATFORM is not dev, the host is not loopback, or the request came from another site", E],
      },
    }),
    devToolGuard,
    async (c) => {
      const deleted = await resetAllUsers(c.get("deps"));
      return c.json({ deleted_users: deleted }, 200);
    },
  );
