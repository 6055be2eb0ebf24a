// Passkeys in Debian's Chromium against `npm start`, through the web app's buttons, with a CDP
// virtual authenticator (ctap2, internal, resident keys, user verification): sign up with a
// password, add a passkey, log out, sign in with it (the button, and the Email field's autofill),
// reload and stay signed in, remove it; and a page of another origin cannot use it. WebAuthn needs
// a domain, not an IP address: the app is opened at http://localhost:PORT.

import { createServer, type Server } from "node:http";
import type { BrowserContext, CDPSession, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumAvailable, serverAndBrowser } from "./browser";
import { freePort } from "./server";

const suite = serverAndBrowser();

const PASSWORD = "correct horse battery staple";
let counter = 0;
const uniqueEmail = () => `passkey-${Date.now().toString(36)}-${counter++}@example.com`;
const status = (page: Page) => page.getByRole("status").textContent();
const button = (page: Page, name: string) => page.getByRole("button", { name, exact: true });

/** A page with a virtual platform authenticator that answers as a user who touches it would. */
async function pageWithAuthenticator(context: BrowserContext): Promise<{ page: Page; cdp: CDPSession }> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { page, cdp };
}

async function signUpAndAddPasskey(page: Page): Promise<string> {
  const email = uniqueEmail();
  await page.goto(suite.appUrl);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await button(page, "Sign up").click();
  await button(page, "Account").click();
  await page.getByLabel("Passkey name (optional)").fill("This laptop");
  await button(page, "Add a passkey").click();
  await expect.poll(() => status(page)).toBe('Passkey "This laptop" added');
  await expect.poll(() => page.getByRole("list", { name: "Passkeys" }).textContent()).toContain("This laptop");
  return email;
}

describe.skipIf(!chromiumAvailable)("passkeys in the web app (Chromium, a virtual authenticator)", () => {
  it("adds a passkey, signs in with its button after logging out, stays signed in on reload, removes it", async () => {
    const context = await suite.browser.newContext();
    // This test takes the button path: the Email field's autofill (which the virtual authenticator
    // would answer at once) is switched off before any page script runs.
    await context.addInitScript(() => {
      const api = (globalThis as { PublicKeyCredential?: { isConditionalMediationAvailable?: unknown } })
        .PublicKeyCredential;
      if (api) api.isConditionalMediationAvailable = async () => false;
    });
    const { page } = await pageWithAuthenticator(context);
    const email = await signUpAndAddPasskey(page);

    await button(page, "Back").click();
    await button(page, "Log out").click();
    await button(page, "Sign in with a passkey").click();
    await expect.poll(() => page.getByText(`Logged in as ${email}`).count()).toBe(1);

    await page.reload();
    // After a reload the page knows who is logged in (GET /api/users/me), not only that someone is.
    await expect.poll(() => page.getByText(`Logged in as ${email}`).count()).toBe(1);

    await button(page, "Account").click();
    const passkeys = page.getByRole("list", { name: "Passkeys" });
    await expect.poll(() => passkeys.textContent()).toMatch(/This laptop.*last used (?!never)/);
    await passkeys
      .getByRole("listitem")
      .filter({ hasText: "This laptop" })
      .getByRole("button", { name: "Remove", exact: true })
      .click();
    await expect.poll(() => passkeys.textContent()).toBe("No passkeys yet");
    await context.close();
  });

  it("signs in from the Email field's autofill (conditional mediation), with no button pressed", async () => {
    const context = await suite.browser.newContext();
    const { page } = await pageWithAuthenticator(context);
    const email = await signUpAndAddPasskey(page);
    await button(page, "Back").click();
    // Logged out, the page asks for a passkey in the background; this authenticator answers it at once.
    await button(page, "Log out").click();
    await expect.poll(() => page.getByText(`Logged in as ${email}`).count(), { timeout: 15_000 }).toBe(1);
    await context.close();
  });

  it.each([
    [
      "a browser without WebAuthn's JSON methods",
      () => {
        const api = (globalThis as { PublicKeyCredential?: Record<string, unknown> }).PublicKeyCredential;
        if (api) delete api.parseRequestOptionsFromJSON;
      },
      "This browser cannot use passkeys here: log in with your password",
    ],
    [
      "a user who closes the dialog",
      () => {
        navigator.credentials.get = () => Promise.reject(new DOMException("closed", "NotAllowedError"));
      },
      "Passkey sign-in cancelled",
    ],
  ])("says what happened to %s, and the password still works", async (_who, bend, message) => {
    const context = await suite.browser.newContext();
    await context.addInitScript(bend);
    const { page } = await pageWithAuthenticator(context);
    const email = uniqueEmail();
    await page.goto(suite.appUrl);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await button(page, "Sign up").click();
    await button(page, "Log out").click();
    await button(page, "Sign in with a passkey").click();
    // Said as an error: the alert, not the status line.
    await expect.poll(() => page.getByRole("alert").textContent()).toBe(message);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await button(page, "Log in").click();
    await expect.poll(() => page.getByText(`Logged in as ${email}`).count()).toBe(1);
    await context.close();
  });

  it("a page of another origin cannot use this site's passkeys", async () => {
    const port = await freePort();
    const other: Server = createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end("<!doctype html><title>elsewhere</title>");
    });
    await new Promise<void>((resolve) => other.listen(port, "127.0.0.1", resolve));
    try {
      const context = await suite.browser.newContext();
      const { page } = await pageWithAuthenticator(context);
      await signUpAndAddPasskey(page);
      const elsewhere = await context.newPage();
      await elsewhere.goto(`http://127.0.0.1:${port}/`);
      const outcome = await elsewhere.evaluate(async (rpId) => {
        try {
          await navigator.credentials.get({
            publicKey: { challenge: new Uint8Array(32), rpId, allowCredentials: [], timeout: 2000 },
          });
          return "got a credential";
        } catch (error) {
          return (error as Error).name;
        }
      }, "localhost");
      expect(outcome).toBe("SecurityError");
      await context.close();
    } finally {
      other.close();
    }
  });
});
