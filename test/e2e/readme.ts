// Reads the README's command blocks marked `<!-- readme-test: NAME -->`, for the tests that run them.

import { readFileSync } from "node:fs";
import path from "node:path";

const readme = readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");

/** The fenced block that follows `<!-- readme-test: NAME -->`. */
export function readmeBlock(name: string): string {
  const match = new RegExp(`<!-- readme-test: ${name} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!match) throw new Error(`README has no block marked readme-test: ${name}`);
  return match[1];
}
