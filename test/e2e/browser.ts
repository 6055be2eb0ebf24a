// Debian's Chromium driven by playwright-core (which never downloads a browser), for the tests of
// what only a browser does: the /docs page, cookies, CORS, CSP and tabs of the web app.

import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { type DevServer, startDevServer } from "./server";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/**
 * False only when the run was told to skip the browser tests (CHIRPY_SKIP_BROWSER_TESTS=1; the run
 * then says how many it skipped). Without Chromium and without that, the browser tests fail, naming
 * how to get one (`npm test` says so before it starts: scripts/test.mjs).
 */
export const chromiumAvailable = process.env.CHIRPY_SKIP_BROWSER_TESTS !== "1";
if (chromiumAvailable && !existsSync(CHROMIUM)) {
  throw new Error(
    `No Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium), set CHROMIUM_PATH, or skip the browser tests with CHIRPY_SKIP_BROWSER_TESTS=1`,
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // No sandbox as root; no background traffic to Google's hosts on a closed network.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * A server as `npm start` runs it (with `args`) and a Chromium, started before the file's tests
 * and stopped after them; nothing when the browser tests are skipped. `appUrl` is the web app on
 * localhost (passkeys need a domain).
 */
export function serverAndBrowser(args: string[] = []) {
  const suite = {} as { server: DevServer; browser: Browser; appUrl: string };
  beforeAll(async () => {
    if (!chromiumAvailable) return;
    suite.server = await startDevServer(args);
    suite.appUrl = `http://localhost:${suite.server.port}/app/`;
    suite.browser = await launchChromium();
  });
  afterAll(async () => {
    await suite.browser?.close();
    suite.server?.stop();
  });
  return suite;
}
