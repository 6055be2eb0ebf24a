// The Worker entry point: the app with the real clock.

import { createApp } from "./app";

const app = createApp();

export type { AppType } from "./app";
export default app;
