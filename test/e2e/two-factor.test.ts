// The login's second step in the web app, in Debian's Chromium against `npm start`: an account
// with TOTP on (turned on through the API, codes computed here from the secret it returns) logs in
// with the password and then a code, or a recovery code.

import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stepAt, totpCode } from "../../src/crypto/totp";
import { base32Bytes } from "../base32";
import { axeViolations } from "./axe";
import { chromiumAvailable, launchChromium } from "./browser";
import { type DevServer, startDevServer } from "./server";

let server: DevServer;
let browser: Browser;

beforeAll(async () => {
  if (!chromiumAvailable) return;
  server = await startDevServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

const PASSWORD = "correct horse battery staple";
const button = (page: Page, name: string) => page.getByRole("button", { name, exact: true });

async function api(path: string, body: unknown, token?: string) {
  const res = await fetch(`${server.base}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> };
}

/** A user with TOTP on; its secret's bytes and its recovery codes. */
async function userWithTotp() {
  const email = `two-factor-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  await api("/api/users", { email, password: PASSWORD });
  const { body: login } = await api("/api/login", { email, password: PASSWORD });
  const token = login.token as string;
  const { body: started } = await api("/api/mfa/totp", { password: PASSWORD }, token);
  const secret = base32Bytes(started.secret as string);
  const step = stepAt(Date.now());
  const { body: confirmed } = await api("/api/mfa/totp/confirm", { code: await totpCode(secret, step) }, token);
  return { email, secret, step, recoveryCodes: confirmed.recovery_codes as string[] };
}

async function passwordStep(page: Page, email: string) {
  await page.goto(`${server.base}/app/`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await button(page, "Log in").click();
}

describe.skipIf(!chromiumAvailable)("the login's second step in the web app", () => {
  it("asks for the authentication code after the password; a wrong one is refused, the right one logs in", async () => {
    const { email, secret, step } = await userWithTotp();
    const context = await browser.newContext();
    const page = await context.newPage();
    await passwordStep(page, email);
    await page.getByLabel("Authentication code").fill("000000");
    await button(page, "Verify").click();
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/^That code is wrong/);
    // The enrolment spent its step: the next one.
    await page.getByLabel("Authentication code").fill(await totpCode(secret, step + 1));
    await button(page, "Verify").click();
    await expect.poll(() => page.getByText(`Logged in as ${email}`).count()).toBe(1);
    await context.close();
  });

  it("takes a recovery code instead ('Use a recovery code')", async () => {
    const { email, recoveryCodes } = await userWithTotp();
    const context = await browser.newContext();
    const page = await context.newPage();
    await passwordStep(page, email);
    await page.getByRole("link", { name: "Use a recovery code" }).click();
    await page.getByLabel("Recovery code").fill(recoveryCodes[0]);
    await button(page, "Verify").click();
    await expect.poll(() => page.getByText(`Logged in as ${email}`).count()).toBe(1);
    await context.close();
  });

  it("is turned on through the Account page (QR code, secret, confirm, recovery codes), used, and turned off", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const email = `enrol-${Date.now().toString(36)}@example.com`;
    await page.goto(`${server.base}/app/`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await button(page, "Sign up").click();
    await button(page, "Account").click();
    await button(page, "Turn on two-factor authentication").click();
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await button(page, "Continue").click();
    await page.getByRole("img", { name: "QR code for your authenticator app" }).waitFor();
    const violations: Record<string, string[]> = { enrolment: await axeViolations(page) };
    const secret = base32Bytes(((await page.locator(".totp-secret").textContent()) ?? "").trim());
    const step = stepAt(Date.now());
    await page.getByLabel("Authentication code").fill(await totpCode(secret, step));
    await button(page, "Confirm").click();
    const codes = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
    await expect.poll(() => codes.count()).toBe(10);
    const recovery = ((await codes.first().textContent()) ?? "").trim();
    await button(page, "Copy").waitFor();
    await button(page, "Download").waitFor();
    violations["recovery codes"] = await axeViolations(page);
    await button(page, "Done").click();
    await button(page, "Back").click();
    await button(page, "Log out").click();

    await passwordStep(page, email);
    violations["second step"] = await axeViolations(page);
    await page.getByLabel("Authentication code").fill(await totpCode(secret, step + 1));
    await button(page, "Verify").click();
    await expect.poll(() => page.getByText(`Logged in as ${email}`).count()).toBe(1);

    await button(page, "Account").click();
    await button(page, "Turn off two-factor authentication").waitFor();
    violations["two-factor on"] = await axeViolations(page);
    // axe-core finds no accessibility violation on the two-factor views.
    expect(Object.fromEntries(Object.entries(violations).filter(([, found]) => found.length > 0))).toEqual({});
    await page.getByLabel("Authentication code or recovery code").fill(recovery);
    await button(page, "Turn off two-factor authentication").click();
    await expect.poll(() => page.getByRole("status").textContent()).toBe("Two-factor authentication is off");
    await button(page, "Turn on two-factor authentication").waitFor();
    await context.close();
  });
});
