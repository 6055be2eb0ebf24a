// `npm run types:check`: fails when worker-configuration.d.ts differs from what `npm run types`
// generates from wrangler.toml and .dev.vars.example (wrangler's own --check reports drift
// even right after generating, so the file is regenerated and compared instead).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

const FILE = "worker-configuration.d.ts";
const before = readFileSync(FILE, "utf8");
execFileSync("npm", ["run", "--silent", "types"], { stdio: ["ignore", "ignore", "inherit"] });
const after = readFileSync(FILE, "utf8");
if (after !== before) {
  writeFileSync(FILE, before);
  console.error(`${FILE} is out of date with wrangler.toml: run \`npm run types\` and commit the result.`);
  process.exit(1);
}
console.log(`${FILE} is up to date.`);
