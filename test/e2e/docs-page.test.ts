// The API reference page in a real browser (Debian's Chromium driven by playwright-core): it
// shows every operation, a "Test Request" call reaches the API, and the page loads nothing
// from any host but the Worker itself.

import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { describedOperations } from "../../src/routes/openapi";

const OPERATIONS = describedOperations(createApp().routes);

import { chromiumAvailable as available, launchChromium } from "./browser";
import { type DevServer, startDevServer } from "./server";

let server: DevServer;
let browser: Browser;

beforeAll(async () => {
  if (!available) return;
  server = await startDevServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

describe.skipIf(!available)("GET /docs in a browser", () => {
  it("shows every operation and makes a Test Request call to the API", async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on("request", (request) => requested.push(request.url()));
    // Nothing the page asks for fails (an icon of its own: no /favicon.ico 404 in the console).
    const failed: string[] = [];
    page.on("response", (res) => {
      if (res.status() >= 400) failed.push(`${res.status()} ${res.url()}`);
    });
    await page.goto(`${server.base}/docs`);

    // Expand every group of the sidebar, then every operation must be listed.
    for (let i = 0; i < 20; i++) {
      const closed = page.getByRole("button", { name: /^Open Group - / });
      if ((await closed.count()) === 0) break;
      await closed.first().click();
    }
    const text = await page.locator("body").textContent();
    for (const op of OPERATIONS) expect(text, op.summary).toContain(op.summary);
    // No buttons for the renderer's hosted services, which do nothing for this API.
    for (const label of ["Ask AI", "Generate SDK", "Deploy", "Generate MCP"]) {
      expect(await page.getByRole("button", { name: label }).count(), label).toBe(0);
      expect(text, label).not.toContain(label);
    }

    // "Try it": open the health check's Test Request and send it.
    await page.getByText("Health check (pings D1)").first().click();
    await page.locator("button", { hasText: "Test Request(get /api/healthz)" }).click();
    const response = page.waitForResponse((res) => res.url() === `${server.base}/api/healthz`);
    await page.getByRole("button", { name: /^Send/ }).first().click();
    expect((await response).status()).toBe(200);
    await expect.poll(async () => page.locator("body").textContent(), { timeout: 10_000 }).toContain("200 OK");

    const foreign = requested.filter((url) => !url.startsWith(`${server.base}/`) && !url.startsWith("data:"));
    expect(foreign).toEqual([]);
    expect(requested).toContain(`${server.base}/app/icon.svg`);
    expect(failed).toEqual([]);
    await page.close();
  });
});
