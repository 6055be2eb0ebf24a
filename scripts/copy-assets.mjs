// Copies the API reference renderer (Scalar's standalone bundle) into public/, which wrangler
// serves as static assets of this Worker: the /docs page loads nothing from a third-party host.
// Runs on `npm install`/`npm ci` (postinstall) and before anything that serves or builds.
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";

const root = path.join(import.meta.dirname, "..");
const source = path.join(root, "node_modules/@scalar/api-reference/dist/browser/standalone.js");
const target = path.join(root, "public/docs/scalar.js");
if (!existsSync(source)) {
  console.error(`copy-assets: ${source} not found; run npm ci`);
  process.exit(1);
}
mkdirSync(path.dirname(target), { recursive: true });
copyFileSync(source, target);
