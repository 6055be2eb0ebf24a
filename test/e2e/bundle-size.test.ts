// The deploy bundle stays small: Workers load it on every cold start.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const BUDGET_GZIP_BYTES = 150 * 1024;

describe("deploy bundle", () => {
  it(`builds with wrangler deploy --dry-run and stays under ${BUDGET_GZIP_BYTES / 1024} KiB gzip`, () => {
    const outdir = mkdtempSync(path.join(tmpdir(), "chirpy-dist-"));
    try {
      execFileSync(process.execPath, ["scripts/wrangler.mjs", "deploy", "--dry-run", "--outdir", outdir], {
        cwd: root,
        stdio: "pipe",
      });
      const bundle = readFileSync(path.join(outdir, "index.js"));
      const gzip = gzipSync(bundle, { level: 9 }).length;
      console.log(`bundle: ${bundle.length} bytes raw, ${gzip} bytes gzip`);
      expect(bundle.length).toBeGreaterThan(10_000); // it really is the app
      expect(gzip).toBeLessThan(BUDGET_GZIP_BYTES);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
