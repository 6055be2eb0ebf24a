// `npm start` checks the settings with the Worker's own schema before it serves: a bad value stops
// the start with the variable, its value and the rule, instead of every request answering 500.

import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
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

/** Runs scripts/start.mjs in a checkout whose .dev.vars is `devVars` (the code and packages are this one's). */
function startWith(devVars: string, args: string[] = []) {
  const checkout = mkdtempSync(path.join(tmpdir(), "chirpy-dev-vars-"));
  try {
    for (const shared of ["scripts", "src", "migrations", "node_modules"]) {
      symlinkSync(path.join(root, shared), path.join(checkout, shared));
    }
    copyFileSync(path.join(root, "wrangler.toml"), path.join(checkout, "wrangler.toml"));
    writeFileSync(path.join(checkout, ".dev.vars"), devVars);
    return spawnSync(
      process.execPath,
      ["scripts/start.mjs", "--port", "1", "--persist-to", path.join(checkout, "state"), ...args],
      { cwd: checkout, encoding: "utf8", timeout: 60_000 },
    );
  } finally {
    rmSync(checkout, { recursive: true, force: true });
  }
}

describe("npm start with a weak secret or an unknown name", () => {
  const secret = `JWT_SECRET=${"s".repeat(64)}\nPOLKA_KEY=k\nPLATFORM=dev\n`;

  it.each([
    ["PLATFORM=dev\n", "JWT_SECRET is missing: it must be at least 32 bytes"],
    ["JWT_SECRET=short\nPLATFORM=dev\n", "JWT_SECRET is 5 bytes: it must be at least 32 bytes"],
  ])("refuses %j before serving (every login would answer 500)", (devVars, message) => {
    const started = startWith(devVars);
    expect(started.status).toBe(1);
    expect(started.stderr).toContain(`Refusing to start: ${message}`);
    expect(started.stdout).not.toContain("API:");
  });

  it("names a typo'd key in .dev.vars with the setting it is nearest to", () => {
    const started = startWith(`${secret}ACESS_TOKEN_TTL_SECONDS=60\n`);
    expect(started.status).toBe(1);
    expect(started.stderr).toContain(
      "Refusing to start: .dev.vars sets ACESS_TOKEN_TTL_SECONDS, which is no setting of this server (did you mean ACCESS_TOKEN_TTL_SECONDS?)",
    );
  });

  it("names a typo'd --var the same way", () => {
    const started = startWith(secret, ["--var", "LOGIN_MAX_ATTEMPT_PER_IP:5"]);
    expect(started.status).toBe(1);
    expect(started.stderr).toContain(
      "--var sets LOGIN_MAX_ATTEMPT_PER_IP, which is no setting of this server (did you mean LOGIN_MAX_ATTEMPTS_PER_IP?)",
    );
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

  it("refuses a name under [vars] that is no setting, naming the nearest", () => {
    const typo = check(
      'name = "x"\n[vars]\nAPP_URL = "https://chirpy.example.com/app"\nREFRESH_TOKEN_ROTATON = "on"\n',
    );
    expect(typo.status).toBe(1);
    expect(typo.stderr).toContain(
      "REFRESH_TOKEN_ROTATON is no setting of this server (did you mean REFRESH_TOKEN_ROTATION?)",
    );
  });

  it("accepts one with APP_URL", () => {
    const ok = check('name = "x"\n[vars]\nAPP_URL = "https://chirpy.example.com/app"\n');
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
  });
});
