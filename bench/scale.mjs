// `npm run bench:scale`: does a request cost the same at a million rows as at a thousand? For each
// size (10³, 10⁵, 10⁶ chirps; users, sessions, tokens, counters in proportion) a fresh database is
// seeded straight through D1 by SQL (bench/seed.mjs), the bench build is served by Miniflare
// (one workerd process, loopback, offline, the database in a file), and each scenario is run as
// sequential requests: p50/p99 latency as the client sees it, and workerd's CPU per request
// (/proc, the Worker and local D1's SQLite together). Also: bytes per row, from the database's
// growth (D1's meta.size_after, what D1 bills and limits) as each table is seeded. Writes bench/scale-results.json.
//
// Options (env): SCALE_SIZES (comma list of chirp counts; default 1000,100000,1000000),
// SCALE_REQUESTS (sequential requests per cheap scenario; default 600).

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { seedAccountTokens, seedChirps, seedCounters, seedKnownNetworks, seedSessions, seedUsers } from "./seed.mjs";
import { buildBench, CLK_TCK, call, root, startBenchServer } from "./serve.mjs";

const SIZES = (process.env.SCALE_SIZES ?? "1000,100000,1000000").split(",").map(Number);
const REQUESTS = Number(process.env.SCALE_REQUESTS ?? 600);
const DAY = 86_400_000;
const PASSWORD = "bench-password-123";
/** Ended sessions and stale counters waiting for housekeeping, at every size: 40 full steps. */
const BACKLOG = 10_000;

buildBench();

/** The database's size in bytes, as D1 reports it after a query (meta.size_after: pages × page size). */
const databaseBytes = async (db) => (await db.prepare("select 1").all()).meta.size_after;

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Runs `count` sequential requests (after 20 unmeasured); latency percentiles and CPU per request. */
async function measure(base, cpuTicks, count, request) {
  for (let i = 0; i < 20; i++) await send(base, request(i));
  const latencies = [];
  const ticks = cpuTicks();
  let extra;
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    extra = await send(base, request(i));
    latencies.push(performance.now() - started);
  }
  const cpuMs = ((cpuTicks() - ticks) * 1000) / CLK_TCK / count;
  latencies.sort((a, b) => a - b);
  return {
    requests: count,
    cpu_ms: Number(cpuMs.toFixed(3)),
    p50_ms: Number(percentile(latencies, 50).toFixed(2)),
    p99_ms: Number(percentile(latencies, 99).toFixed(2)),
    last: extra,
  };
}

async function send(base, { method = "GET", path: p, headers = {}, body, read }) {
  const res = await fetch(`${base}${p}`, { method, headers, body });
  if (!res.ok) throw new Error(`${method} ${p} -> ${res.status} ${await res.text()}`);
  const text = await res.text();
  return read ? read(text, res) : undefined;
}

const cursor = (order, createdAt, rowid) => Buffer.from(`1|${order}||${createdAt}|${rowid}`).toString("base64url");

const results = [];
for (const chirps of SIZES) {
  const users = Math.max(100, chirps / 10);
  const sessions = chirps;
  const dir = mkdtempSync(path.join(tmpdir(), "chirpy-scale-"));
  const { mf, base, cpuTicks } = await startBenchServer({ persistDir: dir });
  const db = await mf.getD1Database("DB");
  const now = Date.now();
  const bytes = {};
  const grew = async (table, rows, seed) => {
    const before = await databaseBytes(db);
    const started = performance.now();
    await seed();
    bytes[table] = { rows, bytes_per_row: Math.round(((await databaseBytes(db)) - before) / rows) };
    console.log(
      `  seeded ${rows.toLocaleString("en")} ${table} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  };
  console.log(`\n== ${chirps.toLocaleString("en")} chirps ==`);
  await grew("users", users, () => seedUsers(db, { prefix: "scale", count: users, atMs: now - 90 * DAY }));
  // One chirp a second, ending now.
  await grew("chirps", chirps, () =>
    seedChirps(db, { prefix: "scale", users, count: chirps, startMs: now - chirps * 1000, stepMs: 1000 }),
  );
  // Sessions with one refresh token each, and a backlog for housekeeping of the same size at every
  // scale (so each measured step is full: its cost against the table's size, not the backlog's).
  const ended = BACKLOG;
  await grew("sessions (with one refresh token each)", sessions + ended, async () => {
    await seedSessions(db, {
      prefix: "scale",
      tag: "live",
      users,
      count: sessions,
      createdMs: now - DAY,
      expiresMs: now + 59 * DAY,
    });
    await seedSessions(db, {
      prefix: "scale",
      tag: "ended",
      users,
      count: ended,
      createdMs: now - 70 * DAY,
      expiresMs: now - 10 * DAY,
    });
  });
  await grew("login_attempts", users + BACKLOG, async () => {
    await seedCounters(db, { kind: "ip", tag: "stale", count: BACKLOG, windowStartMs: now - 2 * 3600_000 });
    await seedCounters(db, { kind: "ip", tag: "fresh", count: users, windowStartMs: now - 60_000 });
  });
  await grew("known_networks", users, () =>
    seedKnownNetworks(db, { prefix: "scale", tag: "n", users, count: users, atMs: now - DAY }),
  );
  await grew("account_tokens", users / 10, () =>
    seedAccountTokens(db, { prefix: "scale", count: users / 10, expiresMs: now - 8 * DAY }),
  );

  // A real user through the API, for refresh and login.
  const email = `scale-bench-${chirps}@example.com`;
  await call(base, "POST", "/api/users", { body: { email, password: PASSWORD } });
  const login = await call(base, "POST", "/api/login", { body: { email, password: PASSWORD } });
  const author = (await db.prepare("select id from users where email = 'scale-7@seed.example'").first()).id;
  const middle = await db
    .prepare("select created_at, rowid from chirps order by created_at limit 1 offset ?")
    .bind(Math.floor(chirps / 2))
    .first();

  const scenarios = {
    "timeline page, newest first (limit 100)": [REQUESTS, () => ({ path: "/api/chirps?sort=desc&limit=100" })],
    "timeline page, oldest first (limit 100)": [REQUESTS, () => ({ path: "/api/chirps?limit=100" })],
    "one author's page, newest first (limit 100)": [
      REQUESTS,
      () => ({ path: `/api/chirps?author_id=${author}&sort=desc&limit=100` }),
    ],
    "deep cursor: the page after the middle chirp (limit 100)": [
      REQUESTS,
      () => ({ path: `/api/chirps?limit=100&cursor=${cursor("asc", middle.created_at, middle.rowid)}` }),
    ],
    "POST /api/refresh": [
      REQUESTS,
      () => ({ method: "POST", path: "/api/refresh", headers: { Authorization: `Bearer ${login.refresh_token}` } }),
    ],
    "POST /api/login": [
      Math.max(50, REQUESTS / 6),
      () => ({
        method: "POST",
        path: "/api/login",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ email, password: PASSWORD }),
      }),
    ],
    "one housekeeping step (200 rows a statement)": [
      20,
      () => ({ path: "/__bench/housekeeping-step", read: (text) => JSON.parse(text).deleted }),
    ],
  };
  const measured = {};
  for (const [name, [count, request]] of Object.entries(scenarios)) {
    const { last, ...figures } = await measure(base, cpuTicks, count, request);
    measured[name] = last ? { ...figures, last_step_deleted: last } : figures;
    const rows = last ? `, ${Object.values(last).reduce((a, b) => a + b, 0)} rows deleted by the last step` : "";
    console.log(`  ${name}: ${figures.cpu_ms} ms CPU, p50 ${figures.p50_ms} ms, p99 ${figures.p99_ms} ms${rows}`);
  }
  results.push({ chirps, users, sessions, database_bytes: await databaseBytes(db), bytes, scenarios: measured });
  await mf.dispose();
  rmSync(dir, { recursive: true, force: true });
}

// ---- report -------------------------------------------------------------------------------------
console.log(
  "\n| scenario | " +
    results.map((r) => `${r.chirps.toLocaleString("en")} chirps: CPU ms · p50 · p99`).join(" | ") +
    " |",
);
console.log(`|---|${results.map(() => "---").join("|")}|`);
for (const name of Object.keys(results[0].scenarios)) {
  const cells = results.map((r) => {
    const s = r.scenarios[name];
    return `${s.cpu_ms} · ${s.p50_ms} · ${s.p99_ms}`;
  });
  console.log(`| ${name} | ${cells.join(" | ")} |`);
}
const largest = results.at(-1);
console.log(
  `\nOn disk at ${largest.chirps.toLocaleString("en")} chirps: ${(largest.database_bytes / 2 ** 20).toFixed(0)} MiB`,
);
for (const [table, { rows, bytes_per_row }] of Object.entries(largest.bytes)) {
  console.log(`  ${table}: ${bytes_per_row} bytes a row (${rows.toLocaleString("en")} rows)`);
}
writeFileSync(path.join(root, "bench/scale-results.json"), `${JSON.stringify(results, null, 2)}\n`);
console.log("wrote bench/scale-results.json");
