declare global {
  namespace Cloudflare {
    interface Env {
      DB: D1Database;
      UPGRADE_DB: D1Database;
      TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
      PLATFORM: string;
      JWT_SECRET: string;
      POLKA_KEY: string;
      JWT_ISSUER: string;
      ACCESS_TOKEN_TTL_SECONDS: string;
      REFRESH_TOKEN_TTL_SECONDS: string;
    }
    interface GlobalProps {
      mainModule: typeof import("../src/index");
    }
  }
}

export {};
