// Applies the migrations to the local D1 quietly: one summary line instead of wrangler's prompt
// (answered by itself), its tables and the placeholder database id; wrangler's own output only
// when it fails. Usage: node scripts/migrate-local.mjs [--persist-to DIR]
import { wrangler } from "./wrangler.mjs";

/** Resolves true when the migrations are applied (or none were pending), false on failure. */
export function applyLocalMigrations(persistTo) {
  const persistArgs = persistTo ? ["--persist-to", persistTo] : [];
  const child = wrangler(["d1", "migrations", "apply", "DB", "--local", ...persistArgs], {
    env: { CI: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  return new Promise((resolve) => {
    child.on("exit", (code) => {
      if (code !== 0) {
        process.stderr.write(output);
        console.error("Applying the local D1 migrations failed.");
        return resolve(false);
      }
      const applied = [...new Set([...output.matchAll(/(\d{4}_[\w-]+)\.sql\s*│\s*✅/g)].map((m) => m[1]))];
      const where = persistTo ?? ".wrangler/state";
      console.log(
        applied.length > 0
          ? `Local D1 (${where}): applied ${applied.length} migration(s): ${applied.join(", ")}.`
          : `Local D1 (${where}): migrations up to date.`,
      );
      resolve(true);
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf("--persist-to");
  process.exit((await applyLocalMigrations(i === -1 ? undefined : process.argv[i + 1])) ? 0 : 1);
}
