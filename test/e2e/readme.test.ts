// The README's command blocks, run as a newcomer would paste them: the quick start commands are
// the ones the tests and CI use, and the curl walkthrough runs (twice: it must be re-runnable)
// against the server `npm start` runs, each status matching the one the README shows after "→".

import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readmeBlock, statusWalkthrough } from "./readme";
import { type DevServer, freePort, startDevServer } from "./server";

const root = path.resolve(import.meta.dirname, "../..");

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer();
});
afterAll(() => server?.stop());

describe("README quick start", () => {
  it("starts the server with the command the e2e tests run", () => {
    expect(readmeBlock("start").trim()).toBe("npm install && npm start");
    const scripts = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).scripts;
    expect(scripts.start).toBe("node scripts/start.mjs");
    expect(readFileSync(path.join(import.meta.dirname, "server.ts"), "utf8")).toContain('"scripts/start.mjs"');
  });

  it("tests with the command CI runs", () => {
    expect(readmeBlock("test").trim()).toBe("npm install && npm test");
    const scripts = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).scripts;
    expect(scripts.check).toMatch(/&& npm test$/);
    expect(readFileSync(path.join(root, ".ci/run"), "utf8")).toMatch(/^npm run check/m);
  });
});

describe("README curl walkthrough", () => {
  const { expected, run } = statusWalkthrough("walkthrough");

  it.each(["sh", "bash"])("runs in %s, twice, with the statuses the README shows", (shell) => {
    expect(expected).toEqual([201, 200, 201, 200, 204, 401]);
    for (let i = 0; i < 2; i++) {
      const { statuses, output } = run(shell, server.base);
      expect(statuses, output).toEqual(expected);
    }
  });
});

describe("README curl walkthrough without a server", () => {
  it("prints ` 000` lines, as the README explains", async () => {
    const port = await freePort(); // nothing listens there
    const { run } = statusWalkthrough("walkthrough");
    const { statuses, output } = run("sh", `http://127.0.0.1:${port}`);
    expect(statuses, output).toEqual([0, 0, 0, 0, 0, 0]);
    expect(output.split("\n")[0]).toBe(" 000");
    expect(readFileSync(path.join(root, "README.md"), "utf8")).toContain(
      "A line that is only ` 000` means curl got no answer",
    );
  });
});

describe("README paging walkthrough", () => {
  const { expected, run } = statusWalkthrough("pages");

  it("follows Link rel=next page by page, newest first, with the statuses the README shows", () => {
    expect(expected).toEqual([201, 201, 201, 201, 200, 200]);
    const { statuses, output } = run("sh", server.base);
    expect(statuses, output).toEqual(expected);
    const pages = output
      .trim()
      .split("\n")
      .slice(4)
      .map((line) => (JSON.parse(line.slice(0, line.lastIndexOf(" "))) as { body: string }[]).map((c) => c.body));
    expect(pages).toEqual([["three", "two"], ["one"]]);
  });
});
