// The Worker entry point: the app with the real clock, and the housekeeping cron.

import { createApp } from "./app";
import type { Bindings } from "./config";
import { buildDeps } from "./deps";
import { runHousekeeping } from "./ops/service";

const app = createApp();

export type { AppType } from "./app";

export default {
  fetch: app.fetch,
  async scheduled(controller, env) {
    // The trigger's own time is the clock, so a run is reproducible in tests.
    const run = await runHousekeeping(buildDeps(env, { now: () => controller.scheduledTime }));
    console.log(`housekeeping: ${JSON.stringify(run)}`);
  },
} satisfies ExportedHandler<Bindings>;
