import { Hono } from "hono";
import type { AppEnv } from "../context";
import { deleteAllUsers, pingDatabase } from "../db/users";
import { AppError, forbidden } from "../errors";

export const adminRoutes = new Hono<AppEnv>().post("/reset", async (c) => {
  const { config, db } = c.get("deps");
  if (config.platform !== "dev") throw forbidden("Reset is only allowed when PLATFORM=dev");
  const deleted = await deleteAllUsers(db);
  return c.json({ deleted_users: deleted }, 200);
});

export const healthRoutes = new Hono<AppEnv>().get("/healthz", async (c) => {
  try {
    await pingDatabase(c.get("deps").db);
  } catch {
    throw new AppError(503, "Database unavailable");
  }
  return c.text("OK", 200);
});
