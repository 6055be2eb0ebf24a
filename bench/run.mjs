// `npm run bench`: builds the worker, serves it with Miniflare directly (one workerd process,
// local D1 with the migrations, loopback only), drives each scenario with autocannon, and
// reports req/s, latency, errors, server CPU per request (/proc accounting of workerd), peak RSS
// and each scenario's ratio to its floor. Writes bench/results.json.
//
// Options (env): BENCH_DURATION_S (5), BENCH_CONNECTIONS (16; scenarios marked "64 connections"
// use 64), BENCH_RUNS (3), BENCH_ONLY (comma list of name fragments; each chosen scenario runs with its floors).

import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { buildBench, CLK_TCK, call as callServer, loadAuthenticator, root, startBenchServer } from "./serve.mjs";

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ONLY = process.env.BENCH_ONLY?.split(",");

const bundle = buildBench();
// Passkeys are bound to a domain: the bench's is bench.test (its requests come from that origin).
const PASSKEY_ORIGIN = "http://bench.test";
const { mf, base, cpuTicks, rssKb } = await startBenchServer({
  bindings: { WEBAUTHN_RP_ID: "bench.test", WEBAUTHN_ORIGINS: PASSKEY_ORIGIN },
});

// ---- seed -----------------------------------------------------------------------------------
const PASSWORD = "bench-password-123";
const call = (method, p, options) => callServer(base, method, p, options);
const POOL = 64;
console.log(`seeding ${POOL} users with sessions, 10 chirps each…`);
const users = [];
for (let i = 0; i < POOL; i++) {
  const email = `bench-${i}@example.com`;
  await call("POST", "/api/users", { body: { email, password: PASSWORD } });
  const login = await call("POST", "/api/login", { body: { email, password: PASSWORD } });
  users.push({ email, id: login.id, token: login.token, refresh: login.refresh_token });
}
for (const user of users) {
  for (let i = 0; i < 10; i++)
    await call("POST", "/api/chirps", { token: user.token, body: { body: `seed chirp ${i}` } });
}
// Chirps created during the bench go to other users, so the read scenario keeps 10 per author.
const writers = [];
const writerIds = [];
for (let i = 0; i < 16; i++) {
  const email = `bench-writer-${i}@example.com`;
  await call("POST", "/api/users", { body: { email, password: PASSWORD } });
  const login = await call("POST", "/api/login", { body: { email, password: PASSWORD } });
  writers.push(login.token);
  writerIds.push(login.id);
}

// A passkey for every user (authenticators that do not count, as most synced passkeys), and signed
// sign-in answers made ahead, each to its own single-use challenge, round the users as password
// logins go: the scenario posts one per request.
const { SoftAuthenticator } = await loadAuthenticator();
const PASSKEY_SCENARIO = "POST /api/login/passkey";
const PASSKEY_ANSWERS =
  !ONLY || ONLY.some((o) => PASSKEY_SCENARIO.includes(o)) ? Math.ceil(DURATION_S * RUNS * 1200) : 0;
const authenticators = [];
if (PASSKEY_ANSWERS > 0) {
  for (const user of users) {
    const authenticator = new SoftAuthenticator(PASSKEY_ORIGIN, "bench.test", false);
    const creation = await call("POST", "/api/passkeys/registration-options", { token: user.token });
    await call("POST", "/api/passkeys", {
      token: user.token,
      body: { credential: await authenticator.create(creation) },
    });
    authenticators.push(authenticator);
  }
  console.log(`signing ${PASSKEY_ANSWERS} passkey sign-in answers ahead…`);
}
const passkeyAnswers = [];
while (passkeyAnswers.length < PASSKEY_ANSWERS) {
  const batch = await Promise.all(
    Array.from({ length: 64 }, async (_, i) => {
      const options = await call("POST", "/api/passkeys/authentication-options");
      return JSON.stringify({ credential: await authenticators[i % authenticators.length].get(options) });
    }),
  );
  passkeyAnswers.push(...batch);
}

// ---- scenarios --------------------------------------------------------------------------------
const DESCRIBED_BODY = {
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ email: "bench-described@example.com", password: PASSWORD }),
};
const cycle = (items) => {
  let i = 0;
  return () => items[i++ % items.length];
};
const allScenarios = [
  { name: "floor A: constant route", floor: null, request: () => ({ method: "GET", path: "/__bench/hello" }) },
  // What an answer's shape costs: the app's headers (security headers, no-store, a D1 bookmark)
  // and a refresh-sized body, over floor A's bare "hello".
  {
    name: "floor A with the API's headers and a refresh-sized body",
    floor: "floor A: constant route",
    request: () => ({ method: "GET", path: "/__bench/hello-headers" }),
  },
  // 100 ms of I/O wait per request, no CPU: req/s ÷ 10 is how many requests the runtime keeps in
  // flight at once (64 means no connection is starved).
  {
    name: "floor W: 100 ms wait, 64 connections",
    floor: null,
    connections: 64,
    request: () => ({ method: "GET", path: "/__bench/wait" }),
  },
  {
    name: "floor B: one indexed D1 read",
    floor: null,
    request: () => ({ method: "GET", path: `/__bench/read?email=${encodeURIComponent(users[0].email)}` }),
  },
  {
    name: "floor B in a D1 session: the same read through withSession",
    floor: "floor B: one indexed D1 read",
    request: () => ({ method: "GET", path: `/__bench/read-session?email=${encodeURIComponent(users[0].email)}` }),
  },

  (() => {
    const next = cycle(users.map((u) => u.refresh));
    return {
      name: "floor B: refresh's own lookup (hash + the app's prepared Drizzle query)",
      floor: "floor B: one indexed D1 read",
      request: () => ({ method: "GET", path: `/__bench/lookup?token=${next()}` }),
    };
  })(),
  {
    name: "floor C: JWT sign + verify",
    floor: "floor A: constant route",
    request: () => ({ method: "GET", path: "/__bench/jwt" }),
  },
  (() => {
    const next = cycle(writerIds);
    return {
      name: "floor D: the chirp insert, raw D1",
      floor: "floor B: one indexed D1 read",
      request: () => ({ method: "POST", path: `/__bench/insert?user=${next()}` }),
    };
  })(),
  // One described, validated operation (a login-shaped body, echoed): this project's describeRoute +
  // jsonBody against hono-openapi's describeRoute + validator, side by side (issue 26's measurement).
  {
    name: "described route: ours (describeRoute + jsonBody)",
    floor: "floor A: constant route",
    request: () => ({ method: "POST", path: "/__bench/described/ours", ...DESCRIBED_BODY }),
  },
  {
    name: "described route: hono-openapi (describeRoute + validator)",
    floor: "described route: ours (describeRoute + jsonBody)",
    request: () => ({ method: "POST", path: "/__bench/described/hono-openapi", ...DESCRIBED_BODY }),
  },
  // The app's own cost before any handler: every app-wide middleware (security headers, no-store,
  // deps, CORS, body limit), routing to nothing, and the JSON 404, with no D1 and no crypto.
  {
    name: "the app's middleware, then a 404",
    floor: "floor A: constant route",
    expect: 404,
    request: () => ({ method: "GET", path: "/api/no-such-route" }),
  },
  // The same plus the refresh route's own handler up to its first check: a 401 without D1.
  {
    name: "POST /api/refresh (no token): to the handler, no D1",
    floor: "floor A: constant route",
    expect: 401,
    request: () => ({ method: "POST", path: "/api/refresh" }),
  },
  (() => {
    const next = cycle(users.map((u) => u.refresh));
    return {
      name: "POST /api/refresh (valid)",
      floor: "floor B: one indexed D1 read",
      request: () => ({ method: "POST", path: "/api/refresh", headers: { authorization: `Bearer ${next()}` } }),
    };
  })(),
  (() => {
    const next = cycle(users.map((u) => u.refresh));
    return {
      name: "POST /api/refresh (valid), 64 connections",
      floor: "floor B: one indexed D1 read",
      connections: 64,
      request: () => ({ method: "POST", path: "/api/refresh", headers: { authorization: `Bearer ${next()}` } }),
    };
  })(),
  (() => {
    const next = cycle(users.map((u) => u.id));
    return {
      name: "GET /api/chirps?author_id=, 64 connections",
      floor: "floor B: one indexed D1 read",
      connections: 64,
      request: () => ({ method: "GET", path: `/api/chirps?author_id=${next()}` }),
    };
  })(),
  (() => {
    const next = cycle(Array.from({ length: 256 }, () => randomBytes(32).toString("hex")));
    return {
      name: "POST /api/refresh (unknown)",
      floor: "floor B: one indexed D1 read",
      expect: 401,
      request: () => ({ method: "POST", path: "/api/refresh", headers: { authorization: `Bearer ${next()}` } }),
    };
  })(),
  (() => {
    const next = cycle(writers);
    return {
      name: "POST /api/chirps",
      floor: "floor B: one indexed D1 read",
      request: () => ({
        method: "POST",
        path: "/api/chirps",
        headers: { authorization: `Bearer ${next()}`, "content-type": "application/json" },
        body: JSON.stringify({ body: "benchmarking a kerfuffle at the edge" }),
      }),
    };
  })(),
  (() => {
    const next = cycle(users.map((u) => u.id));
    return {
      name: "GET /api/chirps?author_id=",
      floor: "floor B: one indexed D1 read",
      request: () => ({ method: "GET", path: `/api/chirps?author_id=${next()}` }),
    };
  })(),
  (() => {
    // Each answer once: a challenge is single use (past the prepared ones, 401s count as errors).
    let i = 0;
    return {
      name: PASSKEY_SCENARIO,
      floor: "POST /api/login",
      request: () => ({
        method: "POST",
        path: "/api/login/passkey",
        headers: { "content-type": "application/json" },
        body: passkeyAnswers[i++ % passkeyAnswers.length],
      }),
    };
  })(),
  (() => {
    const next = cycle(users.map((u) => u.email));
    return {
      name: "POST /api/login",
      floor: "floor B: one indexed D1 read",
      request: () => ({
        method: "POST",
        path: "/api/login",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: next(), password: PASSWORD }),
      }),
    };
  })(),
];
// With BENCH_ONLY, the chosen scenarios run with the floors they are compared with (and theirs).
const chosen = new Set(allScenarios.filter((s) => !ONLY || ONLY.some((o) => s.name.includes(o))));
for (const s of [...chosen]) {
  for (let f = s.floor; f; f = allScenarios.find((x) => x.name === f).floor) {
    chosen.add(allScenarios.find((x) => x.name === f));
  }
}
const scenarios = allScenarios.filter((s) => chosen.has(s));

async function runOnce(scenario) {
  const statuses = {};
  let peakRss = rssKb();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssKb());
  }, 100);
  const ticksBefore = cpuTicks();
  const result = await autocannon({
    url: base,
    connections: scenario.connections ?? CONNECTIONS,
    duration: DURATION_S,
    timeout: 10,
    requests: [{ setupRequest: (req) => ({ ...req, ...scenario.request() }) }],
    setupClient: (client) => client.on("response", (status) => (statuses[status] = (statuses[status] ?? 0) + 1)),
  });
  const cpuMs = ((cpuTicks() - ticksBefore) / CLK_TCK) * 1000;
  clearInterval(sampler);
  const expected = scenario.expect ?? null;
  const total = result.requests.total;
  const unexpected = Object.entries(statuses)
    .filter(([status]) => (expected ? Number(status) !== expected : Number(status) >= 400))
    .reduce((n, [, count]) => n + count, 0);
  return {
    rps: total / DURATION_S,
    // Connections the server failed (reset, hang-up) or left unanswered past the timeout.
    socket_errors: result.errors,
    timeouts: result.timeouts,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    errors: unexpected + result.errors + result.timeouts,
    statuses,
    cpu_ms_per_req: total ? cpuMs / total : 0,
    peak_rss_mb: peakRss / 1024,
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`running ${scenarios.length} scenarios × ${RUNS} runs × ${DURATION_S} s at ${CONNECTIONS} connections…`);
// Warm every scenario (JIT, key import, D1 statement cache) before measuring anything, then
// interleave the runs so a noisy moment on this shared machine hits all scenarios alike.
for (const scenario of scenarios) {
  await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: 1,
    requests: [{ setupRequest: (req) => ({ ...req, ...scenario.request() }) }],
  });
}
const runsByScenario = new Map(scenarios.map((s) => [s, []]));
for (let i = 0; i < RUNS; i++) {
  for (const scenario of scenarios) runsByScenario.get(scenario).push(await runOnce(scenario));
}
const results = [];
for (const [scenario, runs] of runsByScenario) {
  const summary = { name: scenario.name, floor: scenario.floor, runs };
  for (const key of ["rps", "p50_ms", "p99_ms", "cpu_ms_per_req", "peak_rss_mb"]) {
    const values = runs.map((r) => r[key]);
    summary[key] = median(values);
    summary[`${key}_spread`] = [Math.min(...values), Math.max(...values)];
  }
  summary.errors = runs.reduce((n, r) => n + r.errors, 0);
  summary.socket_errors = runs.reduce((n, r) => n + r.socket_errors, 0);
  summary.timeouts = runs.reduce((n, r) => n + r.timeouts, 0);
  results.push(summary);
  console.log(`  ${scenario.name}: ${summary.rps.toFixed(0)} req/s, ${summary.cpu_ms_per_req.toFixed(3)} ms CPU/req`);
}
// Against its floor, run by run: run i of a scenario and of its floor ran minutes apart at most
// (the runs interleave), so the pairs share the machine's mood; the median pair is reported.
for (const r of results) {
  const floor = results.find((f) => f.name === r.floor);
  const pairs = floor ? r.runs.map((run, i) => [run, floor.runs[i]]) : [];
  r.rps_ratio_to_floor = floor ? median(pairs.map(([run, f]) => run.rps / f.rps)) : null;
  r.cpu_ms_over_floor = floor ? median(pairs.map(([run, f]) => run.cpu_ms_per_req - f.cpu_ms_per_req)) : null;
}
await mf.dispose();

// ---- report -----------------------------------------------------------------------------------
const fmt = (n, d = 1) => (n === null || n === undefined ? "–" : n.toFixed(d));
const rows = results.map((r) => [
  r.name,
  `${fmt(r.rps, 0)} (${fmt(r.rps_spread[0], 0)}–${fmt(r.rps_spread[1], 0)})`,
  fmt(r.p50_ms),
  fmt(r.p99_ms),
  `${r.errors}${r.socket_errors + r.timeouts ? ` (${r.socket_errors} socket, ${r.timeouts} timeout)` : ""}`,
  `${fmt(r.cpu_ms_per_req, 3)} (${fmt(r.cpu_ms_per_req_spread[0], 3)}–${fmt(r.cpu_ms_per_req_spread[1], 3)})`,
  fmt(r.peak_rss_mb),
  r.rps_ratio_to_floor === null ? "–" : `${(r.rps_ratio_to_floor * 100).toFixed(0)} % of ${r.floor.split(":")[0]}`,
  r.cpu_ms_over_floor === null ? "–" : fmt(r.cpu_ms_over_floor, 3),
]);
const header = [
  "scenario",
  "req/s median (spread)",
  "p50 ms",
  "p99 ms",
  "errors",
  "CPU ms/req (spread)",
  "peak RSS MB",
  "req/s vs floor",
  "CPU ms over floor",
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
console.log(`\n${line(header)}\n|${widths.map((w) => "-".repeat(w + 2)).join("|")}|\n${rows.map(line).join("\n")}`);
console.log(`\nbundle: ${bundle.raw_bytes} bytes raw, ${bundle.gzip_bytes} bytes gzip (budget 153600)`);
// The web app's own script (public/app/app.js: the app and the client), as a browser downloads it.
const appScript = readFileSync(path.join(root, "public/app/app.js"));
const webApp = { raw_bytes: appScript.length, gzip_bytes: gzipSync(appScript, { level: 9 }).length };
console.log(`web app (/app/app.js): ${webApp.raw_bytes} bytes raw, ${webApp.gzip_bytes} bytes gzip`);

writeFileSync(
  path.join(root, "bench/results.json"),
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: { cpus: (await import("node:os")).cpus().length, node: process.version },
      settings: { duration_s: DURATION_S, connections: CONNECTIONS, runs: RUNS },
      bundle,
      web_app: webApp,
      results,
    },
    null,
    2,
  )}\n`,
);
console.log("wrote bench/results.json");
