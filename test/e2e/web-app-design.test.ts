// The web app as a product, in Debian's Chromium against `npm start`: it knows who is logged in
// after a reload, errors are alerts in a fixed place, the account form changes one field alone, a
// spent mail link leads to a new one, a logged-out visit fails no request, and axe-core finds no
// accessibility violation on any view, light or dark. It also takes the README's screenshots.

import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { axeViolations } from "./axe";
import { chromiumAvailable, serverAndBrowser } from "./browser";
import { type DevServer, startDevServer } from "./server";

const root = path.resolve(import.meta.dirname, "../..");
const suite = serverAndBrowser();

let counter = 0;
const uniqueEmail = () => `design-${Date.now().toString(36)}-${counter++}@example.com`;
const PASSWORD = "correct horse battery staple";
const button = (page: Page, name: string) => page.getByRole("button", { name, exact: true });
// By id: an empty message line is hidden, and a hidden element has no role to find it by.
const alertText = (page: Page) => page.locator("#alert[role=alert]").textContent();
const statusText = (page: Page) => page.locator("#status[role=status]").textContent();

async function signUp(page: Page, email = uniqueEmail()): Promise<string> {
  await page.goto(suite.appUrl);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await button(page, "Sign up").click();
  await button(page, "Log out").waitFor();
  return email;
}

async function mails(to: string, from = suite.server.base): Promise<string[]> {
  const res = await fetch(`${from}/admin/mailbox?to=${encodeURIComponent(to)}`);
  return ((await res.json()) as { text: string }[]).map((mail) => mail.text);
}

/** The newest link of `kind` mailed to `to` (the mailbox lists the newest first), on localhost. */
async function newestLink(to: string, kind: string, from = suite.server.base): Promise<string | undefined> {
  for (const text of await mails(to, from)) {
    const link = new RegExp(`http\\S+/app/${kind}(#token=[0-9a-f]{64})`).exec(text);
    if (link) return `${suite.appUrl}${kind}${link[1]}`;
  }
  return undefined;
}

describe.skipIf(!chromiumAvailable)("the web app as a product", () => {
  const contexts: BrowserContext[] = [];
  const newPage = async (options: { colorScheme?: "light" | "dark" } = {}) => {
    const context = await suite.browser.newContext(options);
    contexts.push(context);
    return context.newPage();
  };
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });

  it("a logged-out visit makes no failing request and logs nothing in the console", async () => {
    const page = await newPage();
    const problems: string[] = [];
    page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("response", (res) => res.status() >= 400 && problems.push(`${res.status()} ${res.url()}`));
    const requests: string[] = [];
    page.on("request", (request) => requests.push(new URL(request.url()).pathname));
    await page.goto(suite.appUrl);
    await button(page, "Log in").waitFor();
    await page.waitForLoadState("networkidle");
    expect(problems).toEqual([]);
    expect(requests).not.toContain("/api/refresh");
  });

  it("after a reload shows who is logged in and keeps the not-verified banner", async () => {
    const page = await newPage();
    const email = await signUp(page);
    const banner = page.getByText("Your email address is not verified yet");
    await banner.waitFor();
    await page.reload();
    await page.getByText(`Logged in as ${email}`).waitFor();
    expect(await banner.count()).toBe(1);
    expect(await button(page, "Resend verification email").count()).toBe(1);
  });

  it("says an error as an alert and a success as a status, in one place that does not move the page", async () => {
    const page = await newPage();
    const email = await signUp(page);
    await button(page, "Log out").click();
    await button(page, "Log in").waitFor();
    const mainTop = async () => (await page.locator("main").boundingBox())?.y;
    const before = await mainTop();
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("not the password");
    await button(page, "Log in").click();
    await expect.poll(() => alertText(page)).toBe("Log-in failed: incorrect email or password");
    expect(await statusText(page)).toBe("");
    expect(await mainTop()).toBe(before);
    // The alert looks like one: not the colours of a success.
    const colours = (selector: string) =>
      page.evaluate(`getComputedStyle(document.querySelector("${selector}")).backgroundColor`);
    await page.getByLabel("Password").fill(PASSWORD);
    await button(page, "Log in").click();
    await button(page, "Log out").waitFor();
    await page.getByLabel("New chirp").fill("hello");
    await button(page, "Post").click();
    await expect.poll(() => statusText(page)).toBe("Posted");
    expect(await alertText(page)).toBe("");
    await page.evaluate("document.getElementById('alert').textContent = 'x'");
    expect(await colours("#alert")).not.toBe(await colours("#status"));
  });

  it("pre-fills the account form and changes the email alone (the password and the session stay)", async () => {
    const page = await newPage();
    const email = await signUp(page);
    await button(page, "Account").click();
    const emailField = page.getByLabel("New email");
    expect(await emailField.inputValue()).toBe(email);
    expect(await page.getByLabel("New password").inputValue()).toBe("");
    const moved = uniqueEmail();
    await emailField.fill(moved);
    await button(page, "Save").click();
    await expect.poll(() => statusText(page)).toBe("Saved");
    await page.getByText(`Logged in as ${moved}`).waitFor();
    await button(page, "Log out").click();
    await expect.poll(() => statusText(page)).toBe("Logged out");
    await page.getByLabel("Email").fill(moved);
    await page.getByLabel("Password").fill(PASSWORD);
    await button(page, "Log in").click();
    // Logged in again, or (failing) what the page said instead.
    const outcome = async () => ((await button(page, "Log out").count()) > 0 ? "logged in" : await alertText(page));
    await expect.poll(outcome, { timeout: 30_000 }).toBe("logged in");
  });

  it("a request that fails after a logout does not wipe the login form being filled", async () => {
    const page = await newPage();
    await signUp(page);
    // Hold the sessions list the home page asks for, until after the logout.
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held = false;
    await page.route("**/api/sessions", async (route) => {
      held = true;
      await released;
      await route.continue();
    });
    await button(page, "Account").click();
    await button(page, "Back").click();
    await expect.poll(() => held).toBe(true);
    await button(page, "Log out").click();
    await page.getByLabel("Email").fill("typing@example.com");
    // The held request now reaches the server with the ended session's token: 401, a refused refresh.
    const refused = page.waitForResponse((res) => res.url().endsWith("/api/refresh") && res.status() === 401);
    release();
    await refused;
    await page.waitForLoadState("networkidle");
    expect(await page.getByLabel("Email").inputValue()).toBe("typing@example.com");
  });

  it("shows chirp times relative, with the exact time on hover", async () => {
    const page = await newPage();
    await signUp(page);
    await page.getByLabel("New chirp").fill("what time is it");
    await button(page, "Post").click();
    const time = page.getByRole("listitem").filter({ hasText: "what time is it" }).locator("time");
    await time.waitFor();
    expect(await time.textContent()).toBe("just now");
    expect(Date.parse((await time.getAttribute("datetime")) ?? "")).not.toBeNaN();
    expect(await time.getAttribute("title")).toMatch(/\d{4}/);
  });

  it("a used reset link offers 'Send a new link', names no setting, and the new link works", async () => {
    const page = await newPage();
    const email = await signUp(page);
    await button(page, "Log out").click();
    await page.getByLabel("Email").fill(email);
    await button(page, "Forgot password").click();
    await button(page, "Send reset link").click();
    await expect.poll(() => statusText(page)).toMatch(/reset link is on its way/);
    const first = (await newestLink(email, "reset-password")) as string;
    await page.goto(first);
    await page.getByLabel("New password").fill("first new password");
    await button(page, "Reset password").click();
    await expect.poll(() => statusText(page)).toMatch(/^Password reset/);

    // The same link again, opened from the mail (a new load: from the same path, the fragment alone
    // would not load the page again): spent.
    await page.goto("about:blank");
    await page.goto(first);
    await page.getByLabel("New password").fill("second new password");
    await button(page, "Reset password").click();
    await button(page, "Send a new link").waitFor();
    const said = (await alertText(page)) ?? "";
    expect(said).toMatch(/expired or was already used/);
    expect(said).not.toMatch(/[A-Z]+_[A-Z_]+/);
    expect((await page.locator("main").textContent()) ?? "").not.toMatch(/[A-Z]+_[A-Z_]+/);
    const mailed = (await mails(email)).length;
    await page.getByLabel("Email").fill(email);
    await button(page, "Send a new link").click();
    await expect.poll(() => statusText(page)).toMatch(/new reset link is on its way/);
    await expect.poll(async () => (await mails(email)).length).toBe(mailed + 1);
    const second = (await newestLink(email, "reset-password")) as string;
    expect(second).not.toBe(first);
    await page.goto("about:blank");
    await page.goto(second);
    await page.getByLabel("New password").fill("second new password");
    await button(page, "Reset password").click();
    await expect.poll(() => statusText(page)).toMatch(/^Password reset/);
  });

  it("a replaced verification link offers 'Send a new link', which mails one; once verified, it says so", async () => {
    const page = await newPage();
    const email = await signUp(page);
    const replaced = (await newestLink(email, "verify-email")) as string;
    await button(page, "Resend verification email").click();
    await expect.poll(() => statusText(page)).toMatch(/verification mail is on its way/);
    await expect.poll(async () => newestLink(email, "verify-email")).not.toBe(replaced);
    await page.goto(replaced);
    await button(page, "Confirm my email").click();
    await button(page, "Send a new link").waitFor();
    expect(await alertText(page)).toMatch(/expired, was already used/);
    const mailed = (await mails(email)).length;
    await button(page, "Send a new link").click();
    await expect.poll(() => statusText(page)).toMatch(/new verification mail is on its way/);
    await expect.poll(async () => (await mails(email)).length).toBe(mailed + 1);

    const newest = (await newestLink(email, "verify-email")) as string;
    await page.goto("about:blank");
    await page.goto(newest);
    await button(page, "Confirm my email").click();
    await expect.poll(() => statusText(page)).toBe("Email address verified");
    await page.goto("about:blank");
    await page.goto(newest);
    await button(page, "Confirm my email").click();
    await button(page, "Send a new link").click();
    await expect.poll(() => statusText(page)).toBe("Your email address is already verified");
    expect((await mails(email)).length).toBe(mailed + 1);
  });
});

// Its own server: the screenshots show only what these tests post, and stay the same run to run.
describe.skipIf(!chromiumAvailable)("every view, light and dark", () => {
  let quiet: DevServer;
  let base: string;
  beforeAll(async () => {
    quiet = await startDevServer();
    base = `http://localhost:${quiet.port}/app/`;
  });
  afterAll(() => quiet?.stop());

  const POSTS = {
    light: ["Hello from the edge", "Chirpy runs on Cloudflare Workers, with D1 as its database"],
    dark: ["Dark mode follows the system", "Passkeys and two-factor codes live on the Account page"],
  };

  for (const colorScheme of ["light", "dark"] as const) {
    it(`axe-core finds no violation on any view (${colorScheme}); the README's screenshot is taken`, async () => {
      const context = await suite.browser.newContext({ colorScheme, viewport: { width: 900, height: 900 } });
      const page = await context.newPage();
      const checked: Record<string, string[]> = {};
      const check = async (view: string) => {
        checked[view] = await axeViolations(page);
      };
      await page.goto(base);
      await button(page, "Log in").waitFor();
      await check("logged out");
      await page.getByLabel("Email").fill("someone@example.com");
      await page.getByLabel("Password").fill("wrong");
      await button(page, "Log in").click();
      await page.getByRole("alert").filter({ hasText: "Log-in failed" }).waitFor();
      await check("an error");
      await button(page, "Forgot password").click();
      await button(page, "Send reset link").waitFor();
      await check("forgot password");
      await button(page, "Back").click();

      const email = `saul-${colorScheme}@bettercall.com`;
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await button(page, "Sign up").click();
      await button(page, "Log out").waitFor();
      for (const body of POSTS[colorScheme]) {
        await page.getByLabel("New chirp").fill(body);
        await button(page, "Post").click();
        await page.getByRole("listitem").filter({ hasText: body }).waitFor();
        await expect.poll(() => page.getByLabel("New chirp").inputValue()).toBe("");
      }
      await page.getByRole("list", { name: "Sessions" }).getByRole("listitem").first().waitFor();
      await check("home");
      // Only this user's chirps: the same picture every run (others' pseudonyms come from random ids).
      await page.getByLabel("Show").selectOption({ label: "Only mine" });
      await expect.poll(() => page.getByRole("list", { name: "Timeline" }).getByRole("listitem").count()).toBe(2);
      await page.evaluate("document.activeElement.blur()");
      await page.screenshot({ path: path.join(root, `docs/screenshots/web-app-${colorScheme}.png`) });
      await button(page, "Account").click();
      await page.getByText("No passkeys yet").waitFor();
      await check("account");

      const verify = (await newestLink(email, "verify-email", quiet.base)) as string;
      await page.goto(verify.replace(/^.*\/app\//, base));
      await button(page, "Confirm my email").waitFor();
      await check("verify email");
      await page.goto(`${base}reset-password#token=${"0".repeat(64)}`);
      await button(page, "Reset password").waitFor();
      await check("reset password");
      await page.getByLabel("New password").fill("whatever it is");
      await button(page, "Reset password").click();
      await button(page, "Send a new link").waitFor();
      await check("spent reset link");
      await page.goto(`${base}cancel-email-change#token=${"0".repeat(64)}`);
      await button(page, "Cancel the email change").waitFor();
      await check("cancel email change");
      await context.close();

      expect(Object.keys(checked)).toHaveLength(9);
      expect(Object.fromEntries(Object.entries(checked).filter(([, found]) => found.length > 0))).toEqual({});
    });
  }
});
