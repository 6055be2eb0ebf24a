// Runs around every workers test file: records every console line the worker writes and, after
// the file's tests, fails if any line holds a token, a password hash, an email address, the test
// password or a test secret. Tests may also read the lines (see securityEvents()).

import { env } from "cloudflare:workers";
import { afterAll } from "vitest";
import { backgroundSettled } from "../src/background";
import { PASSWORD } from "./helpers";

const lines: string[] = [];
for (const method of ["log", "info", "warn", "error", "debug"] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    const line = args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join(" ");
    lines.push(line);
    // Security events are many and asserted where they matter; keep the test output readable.
    if (!line.startsWith('{"event":') || process.env.SHOW_SECURITY_EVENTS) original(...args);
  };
}

/** Every console line written so far in this test file. */
export const loggedLines = (): readonly string[] => lines;

/** The security events logged so far in this test file, parsed. */
export const securityEvents = () =>
  lines
    .filter((line) => line.startsWith('{"event":'))
    .map((line) => JSON.parse(line) as Record<string, unknown> & { event: string });

const FORBIDDEN: [string, RegExp][] = [
  ["a JWT", /eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}/],
  ["a refresh token or hash (64 hex)", /\b[0-9a-f]{64}\b/],
  ["a password hash", /pbkdf2-sha256\$/],
  ["an email address", /[\w.+-]+@[\w-]+\.[\w.-]+/],
  ["the test password", new RegExp(PASSWORD)],
  ["JWT_SECRET", new RegExp(env.JWT_SECRET)],
  ["POLKA_KEY", new RegExp(env.POLKA_KEY)],
];

afterAll(async () => {
  // Work a test's requests left running after their answers (mail) logs here too, and must end
  // before the file's environment does.
  await backgroundSettled();
  for (const line of lines) {
    for (const [what, pattern] of FORBIDDEN) {
      if (pattern.test(line)) throw new Error(`a log line holds ${what}: ${line.slice(0, 200)}`);
    }
  }
});
