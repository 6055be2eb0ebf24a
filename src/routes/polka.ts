import { Hono } from "hono";
import { upgradeToChirpyRed } from "../auth/service";
import { requirePolkaKey } from "../config";
import type { AppEnv } from "../context";
import { timingSafeEqualStrings } from "../crypto/bytes";
import { badRequest, unauthorized } from "../errors";
import { jsonBody, polkaWebhookSchema } from "../validation";
import { readAuthorization } from "./bearer";

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const polkaRoutes = new Hono<AppEnv>().post(
  "/webhooks",
  async (c, next) => {
    const expected = requirePolkaKey(c.get("deps").config);
    const presented = readAuthorization(c, "ApiKey");
    if (presented === null || !(await timingSafeEqualStrings(presented, expected))) {
      throw unauthorized("Missing or invalid API key");
    }
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
