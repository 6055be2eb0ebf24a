// The Polka webhook's credential: "Authorization: ApiKey <POLKA_KEY>", checked before the body.

import { createMiddleware } from "hono/factory";
import { verifyPolkaKey } from "../polka/service";
import { type AppEnv, clientIpOf } from "./context";
import { readAuthorization } from "./require-auth";

export const polkaKeyAuth = createMiddleware<AppEnv>(async (c, next) => {
  await verifyPolkaKey(c.get("deps"), readAuthorization(c, "ApiKey"), clientIpOf(c));
  await next();
});
