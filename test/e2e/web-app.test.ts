// The web app (/app/) in Debian's Chromium against `npm start`, driven by its labels as a person
// would: cookie mode end to end. Threats attacked here: a token within reach of page scripts
// (storage, document.cookie), another local origin using the user's cookie, inline script despite
// the CSP, tabs that log each other out under rotation, a logout that other tabs do not see.
// The server runs with rotation on and a 4-second access token, so every test crosses expiries.

import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium } from "./browser";
import { readmeBlock } from "./readme";
import { type DevServer, freePort, startDevServer } from "./server";

const ACCESS_TTL_SECONDS = 4;
let server: DevServer;
let browser: Browser;
let appUrl: string;

beforeAll(async () => {
  if (!chromiumAvailable) return;
  server = await startDevServer([
    ...["--var", "REFRESH_TOKEN_ROTATION:on"],
    ...["--var", `ACCESS_TOKEN_TTL_SECONDS:${ACCESS_TTL_SECONDS}`],
  ]);
  appUrl = `${server.base}/app/`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

let counter = 0;
const uniqueEmail = () => `web-${Date.now().toString(36)}-${counter++}@example.com`;
const PASSWORD = "correct horse battery staple";
/** All a page script can read of a session: the hint that one exists (never a token). */
const SESSION_HINT = "__Host-chirpy_session_hint=1";

const logOutButton = (page: Page) => page.getByRole("button", { name: "Log out", exact: true });
const logInButton = (page: Page) => page.getByRole("button", { name: "Log in", exact: true });

/** Signs up and is logged in through the page; returns the email. */
async function signUp(page: Page): Promise<string> {
  const email = uniqueEmail();
  await page.goto(appUrl);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await logOutButton(page).waitFor();
  return email;
}

async function post(page: Page, body: string) {
  await page.getByLabel("New chirp").fill(body);
  await page.getByRole("button", { name: "Post" }).click();
  await page.getByRole("listitem").filter({ hasText: body }).waitFor();
}

// Code run in the page is given as text: it runs in the browser, not under this file's (Node) types.

/** What page scripts can reach: storage and document.cookie. */
const reachable = (page: Page) =>
  page.evaluate("({ cookie: document.cookie, local: localStorage.length, session: sessionStorage.length })");

describe("README's cookie-mode snippet", () => {
  it("is the web app's own line, which the browser tests below run", () => {
    const app = readFileSync(path.resolve(import.meta.dirname, "../../src/web/session.ts"), "utf8");
    expect(app).toContain(readmeBlock("client-cookie").trim());
  });
});

describe.skipIf(!chromiumAvailable)("the web app in a browser (cookie mode)", () => {
  // A new browser profile per test: no test sees another's cookie.
  let context: BrowserContext;
  beforeEach(async () => {
    context = await browser.newContext();
  });
  afterEach(async () => {
    await context?.close();
  });

  it("signs up, logs in, posts, and a reload keeps the user logged in with no token within a script's reach", async () => {
    const page = await context.newPage();
    // Script errors and CSP violations (a refused refresh, when logged out, is a network log line).
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
        errors.push(message.text());
    });
    const email = await signUp(page);
    await expect.poll(() => page.getByText(`Logged in as ${email}`).count()).toBe(1);
    await post(page, "hello from the browser");

    await page.reload();
    await logOutButton(page).waitFor();
    await page.getByRole("listitem").filter({ hasText: "hello from the browser" }).waitFor();
    expect(await reachable(page)).toEqual({ cookie: SESSION_HINT, local: 0, session: 0 });

    const [cookie] = (await context.cookies(server.base)).filter((c) => c.name === "__Host-chirpy_refresh");
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict", path: "/" });
    expect(cookie.value).toMatch(/^[0-9a-f]{64}$/);
    expect(errors).toEqual([]);

    // Log out and in again through the form.
    await logOutButton(page).click();
    await logInButton(page).waitFor();
    expect((await context.cookies(server.base)).filter((c) => c.name === "__Host-chirpy_refresh")).toEqual([]);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await logInButton(page).click();
    await logOutButton(page).waitFor();
    await page.close();
  });

  it("deletes an own chirp, shows one author's chirps, lists sessions and ends one", async () => {
    const page = await context.newPage();
    const email = await signUp(page);
    await post(page, "keep me");
    await post(page, "delete me");
    const doomed = page.getByRole("listitem").filter({ hasText: "delete me" });
    await doomed.getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => doomed.count()).toBe(0);

    await page.getByLabel("Show").selectOption({ label: "Only mine" });
    await expect.poll(() => page.getByRole("list", { name: "Timeline" }).getByRole("listitem").count()).toBe(1);

    // A second session (another device, in bearer mode) shows up in the list and is ended from here.
    const other = await fetch(`${server.base}/api/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "User-Agent": "other-device/1.0" },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    const { refresh_token } = (await other.json()) as { refresh_token: string };
    await page.reload();
    const sessions = page.getByRole("list", { name: "Sessions" }).getByRole("listitem");
    await expect.poll(() => sessions.count()).toBe(2);
    await sessions.filter({ hasText: "other-device/1.0" }).getByRole("button", { name: "End session" }).click();
    await expect.poll(() => sessions.count()).toBe(1);
    await expect.poll(() => page.getByText("This browser").count()).toBe(1);
    const refused = await fetch(`${server.base}/api/refresh`, {
      method: "POST",
      headers: { Authorization: `Bearer ${refresh_token}` },
    });
    expect(refused.status).toBe(401);
    await page.close();
  });

  it('shows the newest 20 chirps first and the rest behind "Load more", one page at a time', async () => {
    const page = await context.newPage();
    const email = await signUp(page);
    // 45 chirps by this user, posted over the API (bearer mode) so the test does not type them all.
    const login = await fetch(`${server.base}/api/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    for (let i = 1; i <= 45; i++) {
      const res = await fetch(`${server.base}/api/chirps`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        body: JSON.stringify({ body: `paged chirp number ${i}` }),
      });
      expect(res.status).toBe(201);
    }
    await page.reload();
    await page.getByLabel("Show").selectOption({ label: "Only mine" });
    const items = page.getByRole("list", { name: "Timeline" }).getByRole("listitem");
    const loadMore = page.getByRole("button", { name: "Load more" });
    await expect.poll(() => items.count()).toBe(20);
    // Newest first.
    expect(await items.first().textContent()).toContain("paged chirp number 45");
    await loadMore.click();
    await expect.poll(() => items.count()).toBe(40);
    await loadMore.click();
    await expect.poll(() => items.count()).toBe(45);
    await expect.poll(() => loadMore.count()).toBe(0);
    const texts = await items.locator("p").allTextContents();
    expect(texts).toEqual(Array.from({ length: 45 }, (_, i) => `paged chirp number ${45 - i}`));
    await page.close();
  });

  it("changes the password from the account page: every session ends, the new password logs in", async () => {
    const page = await context.newPage();
    const email = await signUp(page);
    await page.getByRole("button", { name: "Account" }).click();
    await page.getByLabel("New password").fill("a whole new password");
    await page.getByRole("button", { name: "Save" }).click();
    await logInButton(page).waitFor();
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await logInButton(page).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/failed/);
    await page.getByLabel("Password").fill("a whole new password");
    await logInButton(page).click();
    await logOutButton(page).waitFor();
    await page.close();
  });

  it("recovers a forgotten password through the mailed link, and verifies the address through its link", async () => {
    const page = await context.newPage();
    // The anonymous pages (reset) must not try the session cookie first.
    const refreshes: string[] = [];
    page.on("request", (r) => r.url().endsWith("/api/refresh") && refreshes.push(new URL(page.url()).pathname));
    const email = await signUp(page);
    const mails = async () =>
      (await (await fetch(`${server.base}/admin/mailbox?to=${encodeURIComponent(email)}`)).json()) as {
        text: string;
      }[];
    const link = async (kind: string) => {
      const found = (await mails()).map((m) => new RegExp(`(http\\S+/${kind}#token=[0-9a-f]{64})`).exec(m.text)?.[1]);
      return found.find(Boolean) as string;
    };

    // The verification link: opening it confirms nothing (a mail scanner opens links too); the
    // page takes the token off the address bar and confirms on the button.
    const confirms: string[] = [];
    page.on("request", (r) => r.url().includes("/api/email-verifications/confirm") && confirms.push(r.url()));
    await page.goto(await link("verify-email"));
    const confirm = page.getByRole("button", { name: "Confirm my email" });
    await confirm.waitFor();
    expect(page.url()).toBe(`${server.base}/app/verify-email`);
    expect(confirms).toEqual([]);
    const verified = async () =>
      (
        (await (
          await fetch(`${server.base}/api/login`, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ email, password: PASSWORD }),
          })
        ).json()) as { email_verified: boolean }
      ).email_verified;
    expect(await verified()).toBe(false);
    await confirm.click();
    await expect.poll(() => page.getByRole("status").textContent()).toBe("Email address verified");
    expect(confirms).toHaveLength(1);
    expect(await verified()).toBe(true);

    await logOutButton(page).click();
    await logInButton(page).waitFor();
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Forgot password" }).click();
    await page.getByRole("button", { name: "Send reset link" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toMatch(/reset link is on its way/);

    await page.goto(await link("reset-password"));
    expect(page.url()).toBe(`${server.base}/app/reset-password`);
    await page.getByLabel("New password").fill("recovered password");
    refreshes.length = 0;
    await page.getByRole("button", { name: "Reset password" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toMatch(/^Password reset/);
    expect(refreshes).toEqual([]);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("recovered password");
    await logInButton(page).click();
    await logOutButton(page).waitFor();
    expect(await reachable(page)).toEqual({ cookie: SESSION_HINT, local: 0, session: 0 });
    await page.close();
  });

  it("is what the site root opens", async () => {
    const page = await context.newPage();
    await page.goto(`${server.base}/`);
    expect(page.url()).toBe(appUrl);
    await page.getByLabel("Email").waitFor();
    // Its icon is its own (no 404 for /favicon.ico in the console on every visit), allowed by the CSP.
    const icon = await page.evaluate(`document.querySelector('link[rel="icon"]')?.href ?? null`);
    expect(icon).toBe(`${appUrl}icon.svg`);
    const loaded = await page.evaluate(`(async () => {
      const image = new Image();
      image.src = ${JSON.stringify(icon)};
      await image.decode();
      return image.naturalWidth > 0;
    })()`);
    expect(loaded).toBe(true);
    await page.close();
  });

  it("has a strict CSP: inline script does not run, and no page is framed", async () => {
    const page = await context.newPage();
    const response = await page.goto(appUrl);
    const csp = response?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response?.headers()["x-frame-options"]).toBe("DENY");
    await page.getByLabel("Email").waitFor();
    await expect(page.addScriptTag({ content: "window.injected = true;" })).rejects.toThrow();
    expect(await page.evaluate("typeof window.injected")).toBe("undefined");
    await page.close();
  });
});

describe.skipIf(!chromiumAvailable)("another local origin cannot use the user's cookie", () => {
  let attacker: Server;
  let attackerUrl: string;
  beforeAll(async () => {
    // Same host, another port: the same *site* as the app, so SameSite lets the cookie through;
    // the server's header and Origin rules are what must stop it.
    const port = await freePort();
    attackerUrl = `http://127.0.0.1:${port}/`;
    attacker = createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end(`<!doctype html><title>evil</title>
<form id="f" method="POST" action="${server.base}/api/revoke" enctype="text/plain" target="sink">
<input name="a" value="b"></form><iframe name="sink"></iframe>`);
    });
    await new Promise<void>((resolve) => attacker.listen(port, "127.0.0.1", resolve));
  });
  afterAll(() => attacker?.close());

  it("refresh and revoke from there are refused, and the user stays logged in", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signUp(page);
    const [before] = (await context.cookies(server.base)).filter((c) => c.name === "__Host-chirpy_refresh");

    const evil = await context.newPage();
    await evil.goto(attackerUrl);
    // The server's request log (wrangler dev): what it answered requests this page's scripts cannot read.
    const logged = () => server.output().match(/POST \/api\/(refresh|revoke) \d{3}/g) ?? [];
    const seen = logged().length;
    const api = server.base;
    const outcome = await evil.evaluate(`(async () => {
      const results = [];
      // With the header: a preflight the API does not grant (the origin is not in CORS_ORIGINS).
      for (const path of ["/api/refresh", "/api/revoke"]) {
        try {
          const res = await fetch("${api}" + path, {
            method: "POST",
            credentials: "include",
            headers: { "X-Chirpy-Session": "cookie" },
          });
          results.push(path + " read " + res.status);
        } catch {
          results.push(path + " blocked");
        }
      }
      // Without it: simple requests that do carry the cookie (same site), opaque to this page.
      // (The 403's Cross-Origin-Resource-Policy: same-origin then keeps even the opaque answer away.)
      for (const path of ["/api/refresh", "/api/revoke"]) {
        await fetch("${api}" + path, { method: "POST", credentials: "include", mode: "no-cors", body: "x" }).catch(
          () => undefined,
        );
      }
      return results;
    })()`);
    expect(outcome).toEqual(["/api/refresh blocked", "/api/revoke blocked"]);
    // A cross-site form post, as a plain HTML page would send it.
    const formPost = evil.waitForResponse(
      (res) => res.url() === `${api}/api/revoke` && res.request().method() === "POST",
    );
    await evil.evaluate('document.getElementById("f").submit()');
    expect((await formPost).status()).toBe(403);
    await expect
      .poll(() => logged().slice(seen).sort())
      .toEqual(["POST /api/refresh 403", "POST /api/revoke 403", "POST /api/revoke 403"]);

    // Nothing changed: the same cookie, and the app still works after a reload.
    const [after] = (await context.cookies(server.base)).filter((c) => c.name === "__Host-chirpy_refresh");
    expect(after.value).toBe(before.value);
    await page.reload();
    await logOutButton(page).waitFor();
    await post(page, "still logged in");
    await context.close();
  });
});

describe.skipIf(!chromiumAvailable)("tabs", () => {
  /** One browser profile with two tabs of the app, logged in through the first. */
  async function twoTabs() {
    const context = await browser.newContext();
    const a = await context.newPage();
    await signUp(a);
    const b = await context.newPage();
    await b.goto(appUrl);
    await logOutButton(b).waitFor();
    return { context, a, b };
  }

  it("two tabs with rotation on keep working past several access-token expiries", async () => {
    const { context, a, b } = await twoTabs();

    const rounds = 4;
    for (let i = 0; i < rounds; i++) {
      await Promise.all([post(a, `tab a ${i}`), post(b, `tab b ${i}`)]);
      await a.waitForTimeout((ACCESS_TTL_SECONDS / 2) * 1000 + 250);
    }
    for (const page of [a, b]) {
      await page.reload();
      await logOutButton(page).waitFor();
      await page
        .getByRole("listitem")
        .filter({ hasText: `tab a ${rounds - 1}` })
        .waitFor();
      await page
        .getByRole("listitem")
        .filter({ hasText: `tab b ${rounds - 1}` })
        .waitFor();
    }
    await context.close();
  });

  it("logging out in one tab shows the other logged out without a reload", async () => {
    const { context, a, b } = await twoTabs();

    await logOutButton(a).click();
    await logInButton(a).waitFor();
    await logInButton(b).waitFor({ timeout: 10_000 });
    await b.reload();
    await logInButton(b).waitFor();
    await context.close();
  });

  it("log out everywhere from one tab ends the other tab's session too", async () => {
    const { context, a, b } = await twoTabs();
    await a.getByRole("button", { name: "Log out everywhere" }).click();
    await logInButton(a).waitFor();
    await logInButton(b).waitFor({ timeout: 10_000 });
    await context.close();
  });
});
