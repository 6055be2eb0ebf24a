// One wrapper over the real D1 binding for tests that need to see or steer the statements a
// request sends: record them (query plans), fail them (fault injection), or hold one at a gate
// while another request runs (race tests). Everything still runs on the real local D1.

import { env } from "cloudflare:workers";
import { appWith } from "./helpers";

interface D1Call {
  /** The SQL of the statement, or of every statement of a batch. */
  sql: string[];
  kind: "statement" | "batch";
  /** How the D1 session it ran in started (withSession's argument); null outside a session. */
  session: string | null;
  /** The method: first, all, run, raw, or batch. */
  method: string;
  /** The bound statement (for a statement), to run it another way (see roundTripRecorder). */
  statement?: D1PreparedStatement;
}

/** Decides what happens to one execution: call `run` to let it reach D1. */
type Interceptor = <T>(call: D1Call, run: () => Promise<T>) => Promise<T>;

const EXECUTE = new Set(["first", "all", "run", "raw"]);

/** A D1 binding whose every statement fails before reaching D1, as when the database is down. */
export const unreachableD1 = () => interceptD1(() => Promise.reject(new Error("D1_ERROR: Network connection lost.")));

/**
 * A D1 binding that fails the `failAt`-th execution (statement or batch, counting from 1), either
 * before it reaches D1 or after it ran (the answer lost on the way back).
 */
export function faultyD1(failAt: number, mode: "before" | "after") {
  const state = { calls: 0, injected: false };
  const db = interceptD1(async (_call, run) => {
    state.calls++;
    if (state.calls !== failAt) return run();
    state.injected = true;
    if (mode === "after") await run();
    throw new Error("D1_ERROR: injected fault (network connection lost)");
  });
  return { db, state };
}

/**
 * A D1 binding that passes every statement and batch through `intercept` on its way to `target`,
 * including those of the sessions it opens (withSession), as the app's requests do.
 */
function interceptD1(intercept: Interceptor, target: D1Database = env.DB): D1Database {
  const wrapClient = <C extends Pick<D1Database, "prepare" | "batch">>(inner: C, session: string | null): C => {
    const real = new WeakMap<object, D1PreparedStatement>();
    const sqlOf = new WeakMap<object, string>();
    const wrap = (stmt: D1PreparedStatement, query: string): D1PreparedStatement => {
      const proxy = new Proxy(stmt, {
        get(statement, prop) {
          if (prop === "bind") return (...args: unknown[]) => wrap(statement.bind(...args), query);
          if (typeof prop === "string" && EXECUTE.has(prop)) {
            const method = Reflect.get(statement, prop) as (...a: unknown[]) => Promise<unknown>;
            return (...args: unknown[]) =>
              intercept({ sql: [query], kind: "statement", session, method: prop, statement }, () =>
                method.apply(statement, args),
              );
          }
          const value = Reflect.get(statement, prop);
          return typeof value === "function" ? value.bind(statement) : value;
        },
      });
      real.set(proxy, stmt);
      sqlOf.set(proxy, query);
      return proxy;
    };
    return new Proxy(inner, {
      get(client, prop) {
        if (prop === "prepare") return (query: string) => wrap(client.prepare(query), query);
        if (prop === "batch") {
          return (statements: D1PreparedStatement[]) =>
            intercept({ sql: statements.map((s) => sqlOf.get(s) ?? ""), kind: "batch", session, method: "batch" }, () =>
              client.batch(statements.map((s) => real.get(s) ?? s)),
            );
        }
        if (prop === "withSession") {
          return (start?: string) =>
            wrapClient((client as unknown as D1Database).withSession(start), start ?? "first-unconstrained");
        }
        const value = Reflect.get(client, prop);
        return typeof value === "function" ? value.bind(client) : value;
      },
    });
  };
  return wrapClient(target, null);
}

interface HeldStatement {
  /** Resolves when a matching statement (or a batch holding one) has arrived and is waiting. */
  arrived: Promise<void>;
  /** Lets it run. */
  release(): void;
}

export interface GatedD1 {
  db: D1Database;
  /**
   * Holds the next execution whose SQL matches `pattern` (a batch matches when any of its
   * statements does) before it reaches D1, until release(). Other executions pass.
   */
  hold(pattern: RegExp): HeldStatement;
}

/** The "gated D1" of the race tests: one request waits at a statement while another runs. */
function gatedD1(target: D1Database = env.DB): GatedD1 {
  const gates: { pattern: RegExp; arrive: () => void; released: Promise<void> }[] = [];
  const db = interceptD1(async (call, run) => {
    const index = gates.findIndex((gate) => call.sql.some((sql) => gate.pattern.test(sql)));
    if (index !== -1) {
      const [gate] = gates.splice(index, 1);
      gate.arrive();
      await gate.released;
    }
    return run();
  }, target);
  return {
    db,
    hold(pattern) {
      let arrive = () => {};
      let release = () => {};
      const arrived = new Promise<void>((resolve) => {
        arrive = resolve;
      });
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      gates.push({ pattern, arrive, released });
      return { arrived, release };
    },
  };
}

/**
 * Starts `path` on an app over a gated D1 and resolves once the request waits at the first
 * statement matching `pattern`; `release()` lets it finish and returns its response. A request
 * that answers before reaching the statement fails the test instead of hanging it.
 */
export async function requestHeldAt(pattern: RegExp, path: string, init?: RequestInit) {
  const gate = gatedD1();
  const held = gate.hold(pattern);
  const response = appWith({}, { DB: gate.db })(path, init);
  await Promise.race([
    held.arrived,
    response.then((res) => {
      throw new Error(`${path} answered ${res.status} before reaching ${pattern}`);
    }),
  ]);
  return {
    release(): Promise<Response> {
      held.release();
      return response;
    },
  };
}

/** A D1 binding that remembers the SQL of every statement it is given. */
export function recordingD1(seen: Set<string>, target: D1Database = env.DB): D1Database {
  return interceptD1((call, run) => {
    for (const sql of call.sql) seen.add(sql);
    return run();
  }, target);
}

export interface Trip {
  /** How the session started: "first-primary", "first-unconstrained" or a bookmark. */
  session: string | null;
  statements: number;
  rowsRead: number;
  rowsWritten: number;
}

/**
 * A D1 binding that records each round trip (a statement or a batch is one) with the rows D1
 * reports reading and writing (`meta`, what D1 bills). `raw()` and `first()` return no meta, so a
 * read is also run once through `all()` for its meta (not recorded as a trip), and a write is run
 * through `all()` alone with its rows turned back into arrays (a write returns one table's columns).
 */
export function roundTripRecorder(trips: Trip[], target: D1Database = env.DB): D1Database {
  const READ = /^\s*(select|with)\b/i;
  type Meta = { meta: { rows_read?: number; rows_written?: number } };
  const record = (session: string | null, statements: number, metas: Meta[]) =>
    trips.push({
      session,
      statements,
      rowsRead: metas.reduce((n, r) => n + (r.meta.rows_read ?? 0), 0),
      rowsWritten: metas.reduce((n, r) => n + (r.meta.rows_written ?? 0), 0),
    });
  return interceptD1(async <T>(call: D1Call, run: () => Promise<T>): Promise<T> => {
    if (call.kind === "batch") {
      const results = await run();
      record(call.session, call.sql.length, results as unknown as Meta[]);
      return results;
    }
    const statement = call.statement as D1PreparedStatement;
    if (call.method === "all" || call.method === "run") {
      const result = await run();
      record(call.session, 1, [result as unknown as Meta]);
      return result;
    }
    if (READ.test(call.sql[0])) {
      record(call.session, 1, [await statement.all()]);
      return run();
    }
    const result = await statement.all();
    record(call.session, 1, [result]);
    const rows = result.results.map((row) => Object.values(row as Record<string, unknown>));
    return (call.method === "first" ? (result.results[0] ?? null) : rows) as T;
  }, target);
}
