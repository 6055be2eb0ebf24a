// docs/security.md's table of security events names every event the code can write (EVENT_NAMES,
// the names of the tables in src/events.ts the events' types are made from), and nothing else: a new event is documented or
// this names it.

import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EVENT_NAMES } from "../../src/events";

const doc = readFileSync(path.resolve(import.meta.dirname, "../../docs/security.md"), "utf8");

describe("docs/security.md: the table of security events", () => {
  it("names exactly the events the code writes", () => {
    const table = doc.slice(doc.indexOf("| `event` | when | fields |"));
    const rows = table.slice(0, table.indexOf("\n\n")).split("\n").slice(2);
    const documented = rows.flatMap((row) => [...row.split("|")[1].matchAll(/`([a-z_.]+)`/g)].map((m) => m[1]));
    expect([...documented].sort()).toEqual([...EVENT_NAMES].sort());
  });
});
