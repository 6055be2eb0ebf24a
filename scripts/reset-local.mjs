// `npm run db:reset:local [-- --persist-to DIR]`: empties the local D1 (the default state folder, or
// the one `npm start -- --persist-to DIR` uses) and applies the migrations again. Stop the server first.
import { rmSync } from "node:fs";
import path from "node:path";
import { applyLocalMigrations } from "./migrate-local.mjs";

const args = process.argv.slice(2);
const i = args.indexOf("--persist-to");
const persistTo = i === -1 ? undefined : args[i + 1];
rmSync(path.join(persistTo ?? ".wrangler/state", "v3", "d1"), { recursive: true, force: true });
process.exit((await applyLocalMigrations(persistTo)) ? 0 : 1);
