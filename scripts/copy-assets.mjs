// Copies the API reference renderer (Scalar's standalone bundle) into public/, which wrangler
// serves as static assets of this Worker: the /docs page loads nothing from a third-party host.
// Runs before anything that serves, builds or tests (scripts/wrangler.mjs, scripts/test.mjs), not
// on install: a package with an install script makes npm 11 warn in every app that installs the
// client. Usage: node scripts/copy-assets.mjs
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";

const root = path.join(import.meta.dirname, "..");

export function copyAssets() {
  const source = path.join(root, "node_modules/@scalar/api-reference/dist/browser/standalone.js");
  const target = path.join(root, "public/docs/scalar.js");
  if (!existsSync(source)) throw new Error(`copy-assets: ${source} not found; run npm install`);
  // Unchanged: leave the file alone, so a running `npm start` (which watches public/) is not reloaded.
  if (existsSync(target) && readFileSync(target).equals(readFileSync(source))) return;
  mkdirSync(path.dirname(target), { recursive: true });
  copyFileSync(source, target);
}

if (import.meta.url === `file://${process.argv[1]}`) copyAssets();
