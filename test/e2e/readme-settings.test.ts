// README's configuration table lists exactly the settings src/config.ts declares, with the kind
// (var or secret) and the default the schema applies.

import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig, settingsSchema } from "../../src/config";

const readme = readFileSync(path.resolve(import.meta.dirname, "../../docs/configuration.md"), "utf8");
const section = readme.slice(
  readme.indexOf("## Configuration"),
  readme.indexOf("\n## ", readme.indexOf("## Configuration") + 5),
);
const rows = [...section.matchAll(/^\| `([A-Z_]+)` \| (var|secret) \| ([^|]*) \|/gm)].map(
  ([, name, kind, fallback]) => ({
    name,
    kind,
    fallback: fallback.trim(),
  }),
);
const SECRETS = [
  "JWT_SECRET",
  "JWT_PREVIOUS_SECRETS",
  "MFA_ENCRYPTION_KEY",
  "MFA_PREVIOUS_ENCRYPTION_KEYS",
  "POLKA_KEY",
];

describe("docs/configuration.md: the settings table", () => {
  it("lists every setting of the schema, and nothing else", () => {
    expect(rows.map((row) => row.name).sort()).toEqual(Object.keys(settingsSchema.entries).sort());
  });

  it("marks the secrets as secrets and the rest as vars", () => {
    for (const row of rows) expect(row.kind, row.name).toBe(SECRETS.includes(row.name) ? "secret" : "var");
  });

  it("shows the default the schema applies for every numeric and named var", () => {
    const defaults = parseConfig({} as never) as unknown as Record<string, unknown>;
    const key = (name: string) => name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    for (const row of rows.filter((r) => r.kind === "var")) {
      const value = row.name === "PLATFORM" ? defaults.platform : defaults[key(row.name)];
      if (value === "") expect(row.fallback, row.name).toMatch(/^empty/);
      else if (typeof value === "number" || typeof value === "string") {
        expect(row.fallback, row.name).toMatch(new RegExp(`^\`${value}\``));
      }
    }
  });
});
