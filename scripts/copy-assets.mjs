// Copies the API reference renderer (Scalar's standalone bundle) into public/, which wrangler
// serves as static assets of this Worker: the /docs page loads nothing from a third-party host.
// Runs on `npm install`/`npm ci` (postinstall) and before anything that serves or builds.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";

const root = path.join(import.meta.dirname, "..");
const source = path.join(root, "node_modules/@scalar/api-reference/dist/browser/standalone.js");
const target = path.join(root, "public/docs/scalar.js");
// Installed as a dependency (an app using chirpy-edge/client): the server's assets are not ours
// to copy. npm sets INIT_CWD to where `npm install` ran; for this project's own install it is root.
const ownInstall =
  !root.split(path.sep).includes("node_modules") && path.resolve(process.env.INIT_CWD ?? root) === root;
if (!ownInstall) process.exit(0);
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
