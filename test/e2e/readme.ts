// Reads the command blocks marked `<!-- readme-test: NAME -->` in README.md and docs/*.md, for the
// tests that run them (each name once across all of them).

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const readme = ["README.md", ...readdirSync(path.join(root, "docs")).map((file) => `docs/${file}`)]
  .filter((file) => file.endsWith(".md"))
  .map((file) => readFileSync(path.join(root, file), "utf8"))
  .join("\n");

/** The fenced block that follows `<!-- readme-test: NAME -->`. */
export function readmeBlock(name: string): string {
  const match = new RegExp(`<!-- readme-test: ${name} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!match) throw new Error(`no block marked readme-test: ${name} in README.md or docs/`);
  return match[1];
}

/**
 * A README command block whose lines end with an HTTP status and whose `# → … <status>` comments
 * say which: the statuses it shows, and a runner that pastes it into a shell against `base` and
 * returns the statuses it printed.
 */
export function statusWalkthrough(name: string) {
  const block = readmeBlock(name);
  const expected = block
    .split("\n")
    .filter((line) => line.startsWith("# →"))
    .map((line) => Number(line.trim().split(" ").pop()));
  const run = (shell: string, base: string) => {
    // The block's exit status is its last curl's: not a verdict (a refused connection exits 7).
    const output = spawnSync(shell, ["-c", block], {
      env: { PATH: process.env.PATH, BASE: base },
      encoding: "utf8",
      timeout: 30_000,
    }).stdout;
    const statuses = output
      .trim()
      .split("\n")
      .map((line) => Number(line.trim().split(" ").pop()));
    return { statuses, output };
  };
  return { expected, run };
}
