import { Hono } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../middleware/context";
import { devPlatformOnly, devToolGuard } from "../middleware/dev-tool-guard";
import { email, validate } from "../middleware/validation";
import { checkDatabase, readDevMailbox, resetAllUsers } from "../ops/service";
import { describeRoute, errors } from "./describe";
import { keptMailResponseSchema } from "./responses";

const mailboxQuerySchema = v.object({ to: email });

export const opsRoutes = new Hono<AppEnv>()
  .get(
    "/api/healthz",
    describeRoute({
      summary: "Health check (pings D1)",
      tag: "ops",
      responses: { 200: ["OK", "text"], 503: ["D1 is unreachable", errors("database_unavailable")] },
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
        403: [
          "PLATFORM is not dev, the host is not loopback, or the request came from another site",
          errors("reset_dev_only", "loopback_only", "cross_site_refused"),
        ],
      },
    }),
    devToolGuard,
    async (c) => {
      const deleted = await resetAllUsers(c.get("deps"));
      return c.json({ deleted_users: deleted }, 200);
    },
  )
  .get(
    "/admin/mailbox",
    describeRoute({
      summary: "The dev mailbox: mails sent to an address, newest first; PLATFORM=dev only (404 otherwise)",
      tag: "ops",
      responses: {
        200: ["Mails, newest first", [keptMailResponseSchema]],
        400: ["Missing or invalid address", errors("invalid_field", "invalid_email")],
        403: [
          "The host is not loopback, or the request came from another site",
          errors("loopback_only", "cross_site_refused"),
        ],
        404: ["PLATFORM is not dev: the route does not exist", errors("not_found")],
      },
    }),
    devPlatformOnly,
    devToolGuard,
    validate("query", mailboxQuerySchema),
    async (c) => c.json(await readDevMailbox(c.req.valid("query").to), 200),
  );
