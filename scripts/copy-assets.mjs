// Copies the API reference renderer (Scalar's standalone bundle) into public/, which wrangler
// serves as static assets of this Worker: the /docs page loads nothing from a third-party host.
// Runs on `npm install`/`npm ci` (postinstall) and before anything that serves or builds.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";

const root = path.join(import.meta.dirname, "..");
const source = path.join(root, "node_modules/@scalar/api-reference/dist/browser/standalone.js");
const target = path.join(root, "public/docs/scalar.js");
if (!existsSync(source)) {
  console.error(`copy-assets: ${source} not found; run npm ci`);
  process.exit(1);
}
if (Number(process.versions.node.split(".")[0]) < 22) {
  console.log(
    "note: npm's EBADENGINE warnings (node >=22) come from @scalar/api-reference's build tooling; only its prebuilt browser script is used (/docs/scalar.js), so Node 20 is fine.",
  );
}
// Unchanged: leave the file alone, so a running `npm start` (which watches public/) is not reloaded
// by an `npm install` in another terminal.
if (existsSync(target) && readFileSync(target).equals(readFileSync(source))) process.exit(0);
mkdirSync(path.dirname(target), { recursive: true });
copyFileSync(source, target);
