// The settings a local start or a deploy hands the Worker, and the Worker's own checks of them
// (src/config.ts bundled for Node), for scripts/start.mjs and scripts/check-deploy.mjs.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

/** The `[vars]` table of a wrangler.toml (string values). */
export function tomlVars(file = "wrangler.toml") {
  const toml = readFileSync(file, "utf8");
  const table = toml.match(/^\[vars\]\n([\s\S]*?)(?=^\[|(?![\s\S]))/m)?.[1] ?? "";
  return Object.fromEntries([...table.matchAll(/^([A-Z_]+)\s*=\s*"([^"]*)"/gm)].map(([, k, v]) => [k, v]));
}

/** src/config.ts's findSettingProblem and findDeploymentProblem, bundled for Node. */
export async function configChecks() {
  const configModule = "node_modules/.cache/chirpy-edge/config.mjs";
  await build({
    entryPoints: ["src/config.ts"],
    bundle: true,
    format: "esm",
    platform: "node",
    outfile: configModule,
    logLevel: "error",
  });
  return import(pathToFileURL(configModule).href);
}
