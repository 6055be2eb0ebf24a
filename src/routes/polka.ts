import { Hono } from "hono";
import * as v from "valibot";
import { badRequest, invalidField, USER_ID_NOT_UUID } from "../errors";
import { type AppEnv, clientIpOf } from "../middleware/context";
import { polkaKeyAuth } from "../middleware/polka-key";
import { jsonBody, named } from "../middleware/validation";
import { upgradeToChirpyRed } from "../polka/service";
import { BODY_FAULTS, describeRoute, errors } from "./describe";

const polkaWebhookSchema = named(
  "PolkaWebhook",
  v.object({
    event: v.string(invalidField.notString("event")),
    data: v.object({ user_id: v.string(invalidField.notString("data.user_id")) }, invalidField.notObject("data")),
  }),
);

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const polkaRoutes = new Hono<AppEnv>().post(
  "/webhooks",
  describeRoute({
    summary: "Polka payment webhook: user.upgraded sets is_chirpy_red; other events are ignored",
    tag: "webhooks",
    security: "polkaApiKey",
    responses: {
      204: ["Handled"],
      400: ["Invalid body", errors(...BODY_FAULTS, "user_id_not_uuid")],
      401: ["Bad or missing API key", errors("polka_key_refused")],
      404: ["Unknown user", errors("user_not_found")],
    },
  }),
  polkaKeyAuth,
  jsonBody(polkaWebhookSchema),
  async (c) => {
    const { event, data } = c.req.valid("json");
    // Polka retries anything but a 2xx: events we do not handle are acknowledged and ignored.
    if (event !== "user.upgraded") return c.body(null, 204);
    if (!UUID_PATTERN.test(data.user_id)) throw badRequest(USER_ID_NOT_UUID);
    await upgradeToChirpyRed(c.get("deps"), data.user_id, clientIpOf(c));
    return c.body(null, 204);
  },
);
