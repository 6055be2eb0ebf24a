// `npm start` checks the settings with the Worker's own schema before it serves: a bad value stops
// the start with the variable, its value and the rule, instead of every request answering 500.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

describe("npm start with a malformed setting", () => {
  it.each([
    ["ACCESS_TOKEN_TTL_SECONDS:0", 'ACCESS_TOKEN_TTL_SECONDS="0" must be an integer >= 1'],
    ["REFRESH_TOKEN_ROTATION:yes", 'REFRESH_TOKEN_ROTATION="yes" must be "on" or "off"'],
    // Outside development, mail links come from APP_URL only: an empty one is refused.
    ["PLATFORM:production", 'APP_URL is empty with PLATFORM="production"'],
  ])("--var %s stops before serving and names the variable, its value and the rule", (setting, message) => {
    const persistDir = mkdtempSync(path.join(tmpdir(), "chirpy-bad-setting-"));
    try {
      const started = spawnSync(
        process.execPath,
        ["scripts/start.mjs", "--port", "1", "--persist-to", persistDir, "--var", setting],
        { cwd: root, encoding: "utf8", timeout: 60_000 },
      );
      expect(started.status).toBe(1);
      expect(started.stderr).toContain(`Refusing to start: ${message}`);
    } finally {
      rmSync(persistDir, { recursive: true, force: true });
    }
  });
});

describe("npm run deploy's check (predeploy)", () => {
  const check = (toml: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), "chirpy-deploy-check-"));
    try {
      const file = path.join(dir, "wrangler.toml");
      writeFileSync(file, toml);
      return spawnSync(process.execPath, ["scripts/check-deploy.mjs", "--config", file], {
        cwd: root,
        encoding: "utf8",
        timeout: 60_000,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it("refuses a production deployment without APP_URL, and a malformed one", () => {
    const missing = check('name = "x"\n');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('Refusing to deploy: APP_URL is empty with PLATFORM="production"');
    const malformed = check('name = "x"\n[vars]\nAPP_URL = "not a url"\n');
    expect(malformed.status).toBe(1);
    expect(malformed.stderr).toContain("APP_URL=");
  });

  it("accepts one with APP_URL", () => {
    const ok = check('name = "x"\n[vars]\nAPP_URL = "https://chirpy.example.com/app"\n');
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
  });
});
