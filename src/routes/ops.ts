import { Hono } from "hono";
import type { AppEnv } from "../middleware/context";
import { refuseCrossSite } from "../middleware/refuse-cross-site";
import { checkDatabase, resetAllUsers } from "../ops/service";

export const opsRoutes = new Hono<AppEnv>()
  .get("/api/healthz", async (c) => {
    await checkDatabase(c.get("deps"));
    return c.text("OK", 200);
  })
  .post("/admin/reset", refuseCrossSite, async (c) => {
    const deleted = await resetAllUsers(c.get("deps"));
    return c.json({ deleted_users: deleted }, 200);
  });
