// Runs the project's wrangler with telemetry, update checks and the cf.json fetch switched off,
// so local commands send nothing beyond loopback. Usage: node scripts/wrangler.mjs <args...>
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { copyAssets } from "./copy-assets.mjs";

export const OFFLINE_ENV = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
};

export function wrangler(args, options = {}) {
  copyAssets(); // public/docs/scalar.js, which every serve and build includes
  const bin = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
  return spawn(process.execPath, [bin, ...args], {
    stdio: "inherit",
    ...options,
    env: { ...process.env, ...OFFLINE_ENV, ...options.env },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const child = wrangler(process.argv.slice(2));
  child.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
}
