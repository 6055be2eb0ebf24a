import { Hono } from "hono";
import type { AppEnv } from "../context";
import { refuseCrossSite } from "../middleware/refuse-cross-site";
import { checkDatabase, resetAllUsers } from "../ops/service";

export const adminRoutes = new Hono<AppEnv>().post("/reset", refuseCrossSite, async (c) => {
  const deleted = await resetAllUsers(c.get("deps"));
  return c.json({ deleted_users: deleted }, 200);
});

export const healthRoutes = new Hono<AppEnv>().get("/healthz", async (c) => {
  await checkDatabase(c.get("deps"));
  return c.text("OK", 200);
});
