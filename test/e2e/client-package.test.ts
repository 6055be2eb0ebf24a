// The README's client snippet as a consumer would use it: from a separate package that depends on
// chirpy-edge, type-checked strictly without any of the server's types, then bundled and run
// against the server `npm start` runs.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readmeBlock } from "./readme";
import { type DevServer, startDevServer } from "./server";

const root = path.resolve(import.meta.dirname, "../..");
const bin = (name: string) => path.join(root, "node_modules/.bin", name);
let server: DevServer;
let consumer: string;

beforeAll(async () => {
  server = await startDevServer();
  // What `prepare` does on install: the client's type declarations.
  execFileSync(bin("tsc"), ["-p", "tsconfig.client.json"], { cwd: root });
  consumer = mkdtempSync(path.join(tmpdir(), "chirpy-consumer-"));
  mkdirSync(path.join(consumer, "node_modules"));
  symlinkSync(root, path.join(consumer, "node_modules/chirpy-edge"), "dir");
  writeFileSync(
    path.join(consumer, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  // A browser app's settings: DOM types, nothing from Cloudflare, strict.
  writeFileSync(
    path.join(consumer, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "ESNext",
        moduleResolution: "Bundler",
        lib: ["ES2022", "DOM"],
        types: [],
        strict: true,
        skipLibCheck: true,
        noEmit: true,
      },
      include: ["*.ts"],
    }),
  );
});

afterAll(() => {
  server?.stop();
  if (consumer) rmSync(consumer, { recursive: true, force: true });
});

describe("chirpy-edge/client from another package", () => {
  it("type-checks the README snippet, and refuses a wrong request shape", () => {
    writeFileSync(path.join(consumer, "snippet.ts"), readmeBlock("client"));
    // If the API's types were lost (any), this expect-error would itself be an error.
    writeFileSync(
      path.join(consumer, "wrong.ts"),
      [
        'import { createChirpyClient } from "chirpy-edge/client";',
        'const chirpy = createChirpyClient({ baseUrl: "http://127.0.0.1:8787" });',
        "// @ts-expect-error: a chirp needs `body`",
        'export const call = () => chirpy.rpc.api.chirps.$post({ json: { text: "wrong field" } });',
        "",
      ].join("\n"),
    );
    const output = execFileSync(bin("tsc"), ["-p", "."], { cwd: consumer, encoding: "utf8" });
    expect(output).toBe("");
  });

  it("runs the README snippet against the server", async () => {
    const created = await fetch(`${server.base}/api/users`, {
      method: "POST",
      body: JSON.stringify({ email: "saul@bettercall.com", password: "123456" }),
    });
    expect(created.status).toBe(201);
    writeFileSync(
      path.join(consumer, "run.ts"),
      readmeBlock("client").replaceAll("http://127.0.0.1:8787", server.base),
    );
    execFileSync(
      bin("esbuild"),
      ["run.ts", "--bundle", "--platform=node", "--format=esm", "--log-level=warning", "--outfile=run.mjs"],
      { cwd: consumer },
    );
    const output = execFileSync(process.execPath, ["run.mjs"], { cwd: consumer, encoding: "utf8", timeout: 30_000 });
    expect(output).toMatch(/^posted [0-9a-f-]{36}\nsession ended: logged-out\n$/);
  });
});
