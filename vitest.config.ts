import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { settingsSchema } from "./src/config";

const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));

export default defineConfig({
  test: {
    // After the summary: how many tests were skipped and where, loudly (none in a full run).
    reporters: ["default", "./test/skipped-reporter.ts"],
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              // A second, empty database for the upgrade test (old migrations, then new ones),
              // and a "replica" for the read-replication tests (test/replica-double.ts).
              d1Databases: { UPGRADE_DB: "upgrade-db", REPLICA_DB: "replica-db" },
              bindings: {
                // Every setting at its production default (an empty value means the default),
                // whatever a developer's .dev.vars (which wrangler would load) raises for local work.
                ...Object.fromEntries(Object.keys(settingsSchema.entries).map((name) => [name, ""])),
                TEST_MIGRATIONS: migrations,
                // Fixed test secrets: never read .dev.vars in tests.
                PLATFORM: "dev",
                // Mail links come from configuration only (the test host is not loopback).
                APP_URL: "http://chirpy.test/app",
                JWT_SECRET: "test-secret-0123456789abcdef0123456789abcdef",
                POLKA_KEY: "test-polka-key",
                // Property-based fuzzing: runs per endpoint, and a seed to replay a failure.
                // 1,000 per endpoint in CI; fewer locally to keep `npm test` quick.
                FUZZ_RUNS: process.env.FUZZ_RUNS ?? (process.env.CI ? "1000" : "200"),
                FUZZ_SEED: process.env.FUZZ_SEED ?? "",
              },
            },
          }),
        ],
        test: {
          name: "workers",
          include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"],
          setupFiles: ["./test/apply-migrations.ts", "./test/log-guard.ts"],
          // Sized for a loaded machine (2 cores shared with the e2e servers): a slow test is not a wrong one.
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
