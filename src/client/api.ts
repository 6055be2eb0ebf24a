// The API as the client sees it: the app's route schema under Hono's typed client, without the
// server's bindings. In the shipped package (client/), scripts/build-client.mjs replaces this file's
// declarations with the schema spelled out, so no Workers, D1 or Drizzle type reaches an app.

import type { Hono } from "hono";
import type { ExtractSchema } from "hono/types";
import type { AppType as ServerApp } from "../app";

/** Every route of the API: its path, method, input and output, as the server declares them. */
type ApiSchema = ExtractSchema<ServerApp>;

/** The API as Hono's typed client (hc) sees it. */
// biome-ignore lint/complexity/noBannedTypes: Hono's own "no bindings, no variables" environment
export type AppType = Hono<{}, ApiSchema, "/">;
