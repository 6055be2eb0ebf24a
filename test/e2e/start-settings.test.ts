// `npm start` checks the settings with the Worker's own schema before it serves: a bad value stops
// the start with the variable, its value and the rule, instead of every request answering 500.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

describe("npm start with a malformed setting", () => {
  it.each([
    ["ACCESS_TOKEN_TTL_SECONDS:0", 'ACCESS_TOKEN_TTL_SECONDS="0" must be an integer >= 1'],
    ["REFRESH_TOKEN_ROTATION:yes", 'REFRESH_TOKEN_ROTATION="yes" must be "on" or "off"'],
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
