// docs/security.md's table of budgets says what BUDGETS (src/auth/budgets.ts) holds: every budget,
// its limit and window settings, the answer past it and its event. A new budget is documented or
// this names it.

import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BUDGETS } from "../../src/auth/budgets";

const doc = readFileSync(path.resolve(import.meta.dirname, "../../docs/security.md"), "utf8");
const settingOf = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

describe("docs/security.md: the table of budgets", () => {
  it("lists every budget of the code with its settings, answer and event", () => {
    const table = doc.slice(doc.indexOf("| budget | counts | limit | window | past it | event (`limit`) |"));
    const rows = table.slice(0, table.indexOf("\n\n")).split("\n").slice(2);
    const documented = rows.map((row) => {
      const [name, , limit, window, answer, event] = row.split(" | ").map((cell) => cell.replace(/^\| |\s\|$/g, ""));
      return [name, limit, window, answer, event];
    });
    const expected = Object.entries(BUDGETS).map(([name, row]) => [
      `\`${name}\``,
      `\`${settingOf(row.limit)}\``,
      `\`${settingOf(row.window)}\``,
      row.answer ? `429 \`${row.answer}\`` : "none: the answer does not change",
      `\`${row.event}\` (\`${row.label}\`)`,
    ]);
    expect(documented).toEqual(expected);
  });
});
