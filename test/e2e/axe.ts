// axe-core in a Chromium page: the accessibility rules a view must pass (the web app's tests fail on
// any violation, light and dark).

import { readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";

const AXE = readFileSync(path.resolve(import.meta.dirname, "../../node_modules/axe-core/axe.min.js"), "utf8");

/** axe-core's violations on the page as it is now: rule, impact and where. */
export async function axeViolations(page: Page): Promise<string[]> {
  // evaluate() runs outside the page's CSP (script-src 'self' would refuse an inline script).
  await page.evaluate(AXE);
  return (await page.evaluate(
    "axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))",
  )) as string[];
}
