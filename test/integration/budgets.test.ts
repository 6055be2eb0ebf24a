// The budget table's own rules (src/auth/budgets.ts): counters shared between rows share a window,
// keys have one layout, and a reservation that spends counters of different windows restarts each
// in its own window — against real D1.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BUDGETS, charge, charges, loginLockOf, overrun, reserve } from "../../src/auth/budgets";
import { parseConfig } from "../../src/config";
import { createDb } from "../../src/db/client";

const config = parseConfig({ ...env, PASSWORD_CHANGE_WINDOW_SECONDS: "60", SIGNUP_WINDOW_SECONDS: "3600" });

describe("the budget table", () => {
  it("gives rows that share a counter the same window setting (housekeeping forgets by counter)", () => {
    const windows = new Map<string, Set<string>>();
    for (const row of Object.values(BUDGETS)) {
      windows.set(row.counter, (windows.get(row.counter) ?? new Set()).add(row.window));
    }
    const disagreeing = [...windows].filter(([, settings]) => settings.size > 1).map(([counter]) => counter);
    expect(disagreeing).toEqual([]);
  });

  it("keys a network budget by each IPv6 tier at its multiple, and none without an address", () => {
    const spent = charges(config, "signups", "2001:db8:1:2::9");
    expect(spent.map((c) => c.limit)).toEqual([1, 4, 8].map((m) => m * config.signupMaxPerIp));
    expect(new Set(spent.map((c) => c.key)).size).toBe(3);
    expect(charges(config, "signups", null)).toEqual([]);
    expect(charges(config, "signups_global", null)).toEqual([
      { budget: "signups_global", key: "signup:global", limit: config.signupMaxGlobal, windowMs: 3600_000 },
    ]);
  });

  it("names the login lock from the login rows (a reset clears what a login counts)", () => {
    const lock = loginLockOf("d1g35t");
    expect(lock.keys).toEqual([charge(config, "login_account_failures", "d1g35t").key]);
    const pair = charges(config, "login_pair_failures", "d1g35t:203.0.113.9")[0].key;
    expect(lock.prefixes.every((prefix) => pair.startsWith(prefix))).toBe(true);
  });

  it("restarts each counter of one reservation in its own window", async () => {
    const db = createDb(env.DB);
    const user = crypto.randomUUID();
    const spent = [charge(config, "credential_changes", user), ...charges(config, "email_probes", "198.51.100.77")];
    const t0 = Date.UTC(2034, 0, 1);
    await reserve(db, spent, new Date(t0));
    await reserve(db, spent, new Date(t0 + 30_000));
    // 61 s later: the 60 s window of credential changes has passed, the hour of probes has not.
    const counts = await reserve(db, spent, new Date(t0 + 61_000));
    const byBudget = Object.fromEntries(counts.map((c) => [spent.find((s) => s.key === c.key)?.budget, c.count]));
    expect(byBudget).toEqual({ credential_changes: 1, email_probes: 3 });
  });

  it("reports the budget furthest past its limit, with the seconds until it allows another", () => {
    const spent = [
      { budget: "credential_changes" as const, key: "a", limit: 1, windowMs: 60_000 },
      { budget: "email_probes" as const, key: "b", limit: 1, windowMs: 3600_000 },
    ];
    const start = new Date(0);
    const counts = [
      { key: "a", count: 2, windowStart: start },
      { key: "b", count: 2, windowStart: start },
    ];
    expect(overrun(spent, counts, 10_000)).toEqual({ budget: "email_probes", retryAfter: 3590 });
    expect(overrun(spent, [{ key: "a", count: 1, windowStart: start }], 10_000)).toBeNull();
  });
});
