import { Hono } from "hono";
import { upgradeToChirpyRed } from "../auth/service";
import type { AppEnv } from "../context";
import { badRequest } from "../errors";
import { verifyPolkaKey } from "../ops/service";
import { jsonBody, polkaWebhookSchema } from "../validation";
import { readAuthorization } from "./bearer";

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const polkaRoutes = new Hono<AppEnv>().post(
  "/webhooks",
  async (c, next) => {
    await verifyPolkaKey(c.get("deps"), readAuthorization(c, "ApiKey"));
    await next();
  },
  jsonBody(polkaWebhookSchema),
  async (c) => {
    const { event, data } = c.req.valid("json");
    // Polka retries anything but a 2xx: events we do not handle are acknowledged and ignored.
    if (event !== "user.upgraded") return c.body(null, 204);
    if (!UUID_PATTERN.test(data.user_id)) throw badRequest("data.user_id must be a UUID");
    await upgradeToChirpyRed(c.get("deps"), data.user_id);
    return c.body(null, 204);
  },
);
