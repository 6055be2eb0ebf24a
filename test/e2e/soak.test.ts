// Soak test against the server as users start it (npm start: wrangler dev, local D1): a mixed
// workload at 32 concurrent clients for SOAK_SECONDS (60 in CI, 15 locally), each client checking
// what it sees against a model of what it should see. At the end: no 5xx, no invariant violation,
// and memory growth per request bounded. Loopback only; bounded in time and in request count.
// No rate is asserted (a busy machine is slow, not wrong): each client runs at least MIN_ROUNDS
// operations whatever the clock says, so the checks always have work to judge. Rates belong to
// `npm run bench`. A request that wrangler dev's own proxy dropped before the Worker saw it (its
// plain-text 503, see DEV_PROXY_DROPPED in ./server) is sent again once and counted; the Worker's
// answers must have no 5xx at all.

import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type DevServer, freePort, isDevProxyDrop, startDevServer } from "./server";

const SECONDS = Number(process.env.SOAK_SECONDS ?? (process.env.CI ? 60 : 15));
const CLIENTS = 32;
const MAX_REQUESTS = 200_000;
/** Operations each client runs even past SOAK_SECONDS, so the checks never depend on speed. */
const MIN_ROUNDS = 40;
/** A hard stop past SOAK_SECONDS, however few rounds a client managed. */
const GRACE_SECONDS = 90;

/** How much the worker's JS heap (after a full collection) may grow over the whole soak. */
const HEAP_GROWTH_BOUND_MB = 8;

let server: DevServer;
let inspectorPort: number;
beforeAll(async () => {
  inspectorPort = await freePort();
  server = await startDevServer(["--inspector-port", String(inspectorPort)]);
});

/**
 * A session with the worker isolate over wrangler dev's inspector, kept open for the whole soak
 * (a second connection made after a long run got no answers). heapAfterGcMb() reads the JS heap
 * after a full garbage collection: workerd does not answer HeapProfiler.collectGarbage, so a heap
 * snapshot collects first (its chunks are ignored), then Runtime.getHeapUsage reads what is alive.
 */
async function inspectWorker() {
  const socket = new WebSocket(`ws://127.0.0.1:${inspectorPort}/ws`);
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  const pending = new Map<number, (result: Record<string, number>) => void>();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data));
    pending.get(message.id)?.(message.result);
  });
  let nextId = 1;
  // A call the inspector leaves unanswered fails here, saying which, instead of hanging the test.
  const send = (method: string, params = {}) =>
    new Promise<Record<string, number>>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => reject(new Error(`inspector did not answer ${method}`)), 30_000);
      pending.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      socket.send(JSON.stringify({ id, method, params }));
    });
  await send("HeapProfiler.enable");
  return {
    async heapAfterGcMb() {
      await send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
      return (await send("Runtime.getHeapUsage")).usedSize / 2 ** 20;
    },
    close: () => socket.close(),
  };
}
afterAll(() => server?.stop());

/** Resident memory (KiB) of the server's workerd processes, found by walking its process tree. */
function workerdRssKb(rootPid: number): number {
  const children = new Map<number, number[]>();
  const comm = new Map<number, string>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const pid = Number(entry);
      comm.set(pid, stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop() as number;
    if (comm.get(pid) === "workerd") {
      try {
        total += Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) * 4;
      } catch {}
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

interface Token {
  refresh: string;
  access: string;
  revoked: boolean;
}

describe(`soak: ${CLIENTS} clients for ${SECONDS} s`, () => {
  it(
    "keeps its promises: no 5xx, revoked stays revoked, every chirp readable once, no foreign deletes",
    async () => {
      const statuses: Record<string, number> = {};
      const violations: string[] = [];
      const checks = { revokedRefreshRefused: 0, chirpListsExact: 0, chirpReadBack: 0, foreignDeleteRefused: 0 };
      let requests = 0;
      let devProxyDrops = 0;
      const allChirps = new Map<string, string>(); // chirp id → owner email
      const deadline = Date.now() + SECONDS * 1000;
      const hardDeadline = deadline + GRACE_SECONDS * 1000;

      async function call(method: string, path: string, token?: string, body?: unknown) {
        const send = async () => {
          requests++;
          const res = await fetch(`${server.base}${path}`, {
            method,
            headers: {
              ...(token ? { Authorization: `Bearer ${token}` } : {}),
              ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
            },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          return { res, text: await res.text() };
        };
        let { res, text } = await send();
        // wrangler dev's proxy dropped it before the Worker saw it (see DEV_PROXY_DROPPED): send it
        // again once, as its answer asks. A second drop, or any 5xx of the Worker's, is a violation.
        if (isDevProxyDrop(res.status, res.headers, text)) {
          devProxyDrops++;
          ({ res, text } = await send());
        }
        const key = `${method} ${path.replace(/[0-9a-f-]{36}/g, "{id}").replace(/\?.*/, "")} ${res.status}`;
        statuses[key] = (statuses[key] ?? 0) + 1;
        if (res.status >= 500) violations.push(`${key}: ${text}`);
        return { status: res.status, json: () => JSON.parse(text) };
      }

      async function client(n: number) {
        const email = `soak-${n}-${Date.now()}@example.com`;
        const password = `soak-password-${n}`;
        if ((await call("POST", "/api/users", undefined, { email, password })).status !== 201) return;
        const login = async () => {
          const res = await call("POST", "/api/login", undefined, { email, password });
          if (res.status !== 200) return;
          const body = res.json();
          tokens.push({ refresh: body.refresh_token, access: body.token, revoked: false });
          userId = body.id;
        };
        const tokens: Token[] = [];
        let userId = "";
        await login();
        const mine = new Set<string>();
        const live = () => tokens.filter((t) => !t.revoked);

        for (
          let round = 0;
          (round < MIN_ROUNDS || Date.now() < deadline) && Date.now() < hardDeadline && requests < MAX_REQUESTS;
          round++
        ) {
          const roll = Math.random();
          const token = live()[0];
          if (!token) {
            await login();
          } else if (roll < 0.3) {
            const res = await call("POST", "/api/chirps", token.access, { body: `chirp ${n} ${requests}` });
            if (res.status === 201) {
              const id = res.json().id;
              mine.add(id);
              allChirps.set(id, email);
            } else if (res.status !== 401) violations.push(`create chirp: ${res.status}`);
          } else if (roll < 0.5) {
            const res = await call("GET", `/api/chirps?author_id=${userId}`);
            const ids: string[] = res.json().map((c: { id: string }) => c.id);
            checks.chirpListsExact++;
            if (ids.length !== new Set(ids).size) violations.push("duplicated chirp in list");
            if (ids.length !== mine.size || ids.some((id) => !mine.has(id))) {
              violations.push(`chirp list of ${email}: got ${ids.length}, expected ${mine.size}`);
            }
          } else if (roll < 0.58 && mine.size > 0) {
            const id = [...mine][Math.floor(Math.random() * mine.size)];
            const res = await call("GET", `/api/chirps/${id}`);
            checks.chirpReadBack++;
            if (res.status !== 200) violations.push(`own chirp ${id} not readable: ${res.status}`);
          } else if (roll < 0.66 && mine.size > 0) {
            const id = [...mine][0];
            const res = await call("DELETE", `/api/chirps/${id}`, token.access);
            if (res.status === 204) mine.delete(id);
            else violations.push(`delete own chirp: ${res.status}`);
          } else if (roll < 0.7 && allChirps.size > 0) {
            const foreign = [...allChirps].find(([, owner]) => owner !== email);
            if (foreign) {
              const res = await call("DELETE", `/api/chirps/${foreign[0]}`, token.access);
              checks.foreignDeleteRefused++;
              if (res.status === 204) violations.push(`deleted another user's chirp ${foreign[0]}`);
            }
          } else if (roll < 0.86) {
            const res = await call("POST", "/api/refresh", token.refresh);
            if (res.status === 200) token.access = res.json().token;
            else violations.push(`refresh of a live token: ${res.status}`);
          } else if (roll < 0.92) {
            const res = await call("POST", "/api/revoke", token.refresh);
            if (res.status !== 204) violations.push(`revoke: ${res.status}`);
            token.revoked = true;
            const again = await call("POST", "/api/refresh", token.refresh);
            checks.revokedRefreshRefused++;
            if (again.status !== 401) violations.push(`revoked token refreshed: ${again.status}`);
          } else if (roll < 0.96) {
            const revoked = tokens.find((t) => t.revoked);
            if (revoked) {
              const res = await call("POST", "/api/refresh", revoked.refresh);
              checks.revokedRefreshRefused++;
              if (res.status !== 401) violations.push(`revoked token refreshed later: ${res.status}`);
            }
          } else {
            await login();
          }
        }
        // Final read-back: every chirp that got 201 and was not deleted is there, exactly once.
        const res = await call("GET", `/api/chirps?author_id=${userId}`);
        const ids: string[] = res.json().map((c: { id: string }) => c.id);
        checks.chirpListsExact++;
        if (ids.length !== mine.size || ids.some((id) => !mine.has(id)))
          violations.push(`final list of ${email} differs`);
      }

      const rss: number[] = [];
      const inspector = await inspectWorker();
      const heapBeforeMb = await inspector.heapAfterGcMb();
      const sampler = setInterval(() => rss.push(workerdRssKb(server.process.pid as number)), 2000);
      await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
      clearInterval(sampler);
      rss.push(workerdRssKb(server.process.pid as number));
      const heapAfterMb = await inspector.heapAfterGcMb();
      inspector.close();

      const byStatus: Record<string, number> = {};
      for (const [key, count] of Object.entries(statuses)) {
        const status = key.split(" ").pop() as string;
        byStatus[status] = (byStatus[status] ?? 0) + count;
      }
      console.log(
        JSON.stringify(
          {
            seconds: SECONDS,
            clients: CLIENTS,
            requests,
            byStatus,
            devProxyDropsSentAgain: devProxyDrops,
            checks,
            violations: violations.length,
            rssMb: rss.map((kb) => Math.round(kb / 1024)),
            heapAfterGcMb: [heapBeforeMb, heapAfterMb].map((mb) => Number(mb.toFixed(2))),
          },
          null,
          1,
        ),
      );
      console.log(JSON.stringify(statuses, null, 1));

      expect(violations).toEqual([]);
      expect(Object.keys(byStatus).filter((s) => s.startsWith("5"))).toEqual([]);
      // Work done is set by MIN_ROUNDS, not by speed: 32 × 40 rounds exercise every branch.
      expect(checks.revokedRefreshRefused).toBeGreaterThan(0);
      expect(checks.chirpListsExact).toBeGreaterThanOrEqual(CLIENTS);
      // Memory: workerd under wrangler dev grows its RSS even on a constant route that never reaches
      // this code (measured ~2-9 KB per request under Miniflare, ~80 KB with wrangler dev's
      // inspector attached), so "levels off" cannot be asserted here. What is asserted is a bound
      // per request that a leak of request or response bodies (≥ 1 MiB each at the limit) breaks.
      const growthKbPerRequest = (rss[rss.length - 1] - rss[0]) / requests;
      console.log(`workerd RSS growth: ${growthKbPerRequest.toFixed(1)} KB per request`);
      expect(growthKbPerRequest).toBeLessThan(256);
      // The isolate's own memory does level off (npm run bench:heap: ~1.9 MB after GC through
      // 160,000 refreshes while RSS climbs): what lives after a full collection may not grow by
      // more than a bound that any per-request leak over this many requests would pass.
      console.log(`worker heap after GC: ${heapBeforeMb.toFixed(2)} MB before, ${heapAfterMb.toFixed(2)} MB after`);
      expect(heapAfterMb - heapBeforeMb).toBeLessThan(HEAP_GROWTH_BOUND_MB);
    },
    (SECONDS + GRACE_SECONDS + 60) * 1000,
  );
});
