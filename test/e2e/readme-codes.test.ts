// docs/api.md's table of error codes is the catalogue's (src/errors.ts): every code with its status and
// message, and nothing else, so a new error is documented or this names it.

import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ERRORS, TEMPLATED_ERRORS } from "../../src/errors";

const readme = readFileSync(path.resolve(import.meta.dirname, "../../docs/api.md"), "utf8");

describe("README's error codes", () => {
  it("lists every code of the catalogue with its status and message, in its order", () => {
    const rows = [...readme.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \| (.+) \|$/gm)].map(([, code, status, message]) => ({
      code,
      status: Number(status),
      message: message.replace(/\\\|/g, "|"),
    }));
    const catalogue = [...Object.entries(ERRORS), ...Object.entries(TEMPLATED_ERRORS)].map(
      ([code, { status, message }]) => ({ code, status, message }),
    );
    expect(rows).toEqual(catalogue);
  });
});
