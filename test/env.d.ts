// Bindings that exist only in tests (see vitest.config.ts); the rest come from the generated
// worker-configuration.d.ts (`npm run types`).
declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
      UPGRADE_DB: D1Database;
      REPLICA_DB: D1Database;
      FUZZ_RUNS: string;
      FUZZ_SEED: string;
    }
  }
}

export {};
