// The client section of docs/client.md, done as it says by someone outside the repository: `npm pack`, a
// new package made with `npm init -y`, the tarball installed by its own command, the
// snippet type-checked with a browser project's strict settings, then run with `node snippet.mjs`
// against the server `npm start` runs.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readmeBlock } from "./readme";
import { type DevServer, startDevServer } from "./server";

const root = path.resolve(import.meta.dirname, "../..");
const tsc = path.join(root, "node_modules/.bin/tsc");
let server: DevServer;
let outside: string;
let demo: string;
let tarball: string;
let installWarnings: string[];

beforeAll(async () => {
  server = await startDevServer();
  outside = mkdtempSync(path.join(tmpdir(), "chirpy-consumer-"));
  const packed = execFileSync("npm", ["pack", "--json", "--pack-destination", outside], {
    cwd: root,
    encoding: "utf8",
  });
  tarball = path.join(outside, (JSON.parse(packed) as { filename: string }[])[0].filename);
  // The README's install command, as pasted (the client needs nothing from the registry).
  // npm's warnings on (npm test's own npm would pass its quieter level down).
  const install = spawnSync("sh", ["-c", readmeBlock("client-install")], {
    cwd: outside,
    env: {
      ...process.env,
      CHIRPY_EDGE: tarball,
      npm_config_prefer_offline: "true",
      npm_config_audit: "false",
      npm_config_loglevel: "warn",
    },
    encoding: "utf8",
  });
  if (install.status !== 0) throw new Error(`the install failed:\n${install.stderr}`);
  installWarnings = install.stderr.split("\n").filter((line) => line.startsWith("npm warn"));
  demo = path.join(outside, "chirpy-demo");
}, 240_000);

afterAll(() => {
  server?.stop();
  if (outside) rmSync(outside, { recursive: true, force: true });
});

describe("chirpy-edge/client installed from npm pack into a new package", () => {
  it("installs without a warning (no install script for npm 11 to ask about)", () => {
    expect(installWarnings).toEqual([]);
  });

  it("ships the built client and nothing of the server", () => {
    const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).trim().split("\n").sort();
    // The built client and nothing of src/, test/ or the server; no third-party declarations.
    expect(files).toEqual(
      [
        "package/README.md",
        "package/client/api.d.ts",
        "package/client/index.d.ts",
        "package/client/index.js",
        "package/package.json",
      ].sort(),
    );
    // Its one dependency comes with it: openapi-fetch (and the helper types it names).
    expect(readdirSync(path.join(demo, "node_modules")).filter((name) => !name.startsWith("."))).toEqual([
      "chirpy-edge",
      "openapi-fetch",
      "openapi-typescript-helpers",
    ]);
    // The public types hold the API, not the dev tools or the reference page.
    const api = readFileSync(path.join(demo, "node_modules/chirpy-edge/client/api.d.ts"), "utf8");
    expect(api).toContain('"/api/chirps"');
    expect(api).not.toMatch(/"\/admin\/|"\/docs"/);
    const installed = JSON.parse(readFileSync(path.join(demo, "package.json"), "utf8"));
    expect(installed.type ?? "commonjs").toBe("commonjs"); // npm init's CommonJS package, as the README says
    expect(installed.dependencies["chirpy-edge"]).toBeDefined();
  });

  it("type-checks the snippet with a browser project's strict settings, skipLibCheck off", () => {
    writeFileSync(path.join(demo, "snippet.ts"), readmeBlock("client"));
    // If the API's types were lost (any), this expect-error would itself be an error.
    writeFileSync(
      path.join(demo, "wrong.ts"),
      [
        'import { createChirpyClient } from "chirpy-edge/client";',
        'const chirpy = createChirpyClient({ baseUrl: "http://127.0.0.1:8787" });',
        "// @ts-expect-error: a chirp needs `body`",
        'export const call = () => chirpy.rpc.POST("/api/chirps", { body: { text: "wrong field" } });',
        "",
      ].join("\n"),
    );
    writeFileSync(
      path.join(demo, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "ESNext",
          moduleResolution: "Bundler",
          lib: ["DOM", "ES2022"],
          types: [],
          strict: true,
          skipLibCheck: false,
          noEmit: true,
        },
        files: ["snippet.ts", "wrong.ts"],
      }),
    );
    const output = execFileSync(tsc, ["-p", "."], { cwd: demo, encoding: "utf8" });
    expect(output).toBe("");
  });

  it("runs the snippet as pasted with node snippet.mjs, twice", () => {
    const snippet = readmeBlock("client");
    const line = 'const BASE_URL = "http://127.0.0.1:8787";';
    expect(snippet).toContain(line);
    writeFileSync(path.join(demo, "snippet.mjs"), snippet.replace(line, `const BASE_URL = "${server.base}";`));
    for (let run = 0; run < 2; run++) {
      const output = execFileSync(process.execPath, ["snippet.mjs"], { cwd: demo, encoding: "utf8", timeout: 30_000 });
      expect(output).toMatch(/^posted [0-9a-f-]{36}\nsession ended: logged-out\n$/);
    }
  });
});

describe("chirpy-edge/client installed from a fresh clone's path, as the same command does", () => {
  it("runs in a new package with nothing built or installed in the clone", () => {
    const clone = path.join(outside, "clone");
    execFileSync("git", ["clone", "-q", root, clone]);
    const app = path.join(outside, "path-demo");
    execFileSync("sh", ["-c", readmeBlock("client-install").replaceAll("chirpy-demo", "path-demo")], {
      cwd: outside,
      env: { ...process.env, CHIRPY_EDGE: clone, npm_config_prefer_offline: "true", npm_config_audit: "false" },
      stdio: "pipe",
    });
    writeFileSync(
      path.join(app, "check.mjs"),
      'import { createChirpyClient } from "chirpy-edge/client";\nconsole.log(typeof createChirpyClient);\n',
    );
    expect(execFileSync(process.execPath, ["check.mjs"], { cwd: app, encoding: "utf8" })).toBe("function\n");
  }, 120_000);
});
