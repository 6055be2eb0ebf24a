// The Drizzle handle a request uses, over the D1 session the request runs in, and a per-isolate
// cache of prepared queries. Building a query's SQL costs about as much CPU as D1 running it
// (measured: +0.48 ms per request, `npm run bench`), so hot queries are built once per isolate and
// only bound per request.

import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";

export type Db = DrizzleD1Database;

/**
 * The one shape for a write that can fail for more than one expected reason: `ok` and the
 * value, or not `ok` and why (the service maps each reason to its public error). Reads that
 * find nothing return null instead.
 */
export type Outcome<T, Reason extends string, Detail = object> =
  | ({ ok: true } & T)
  | ({ ok: false; reason: Reason } & Detail);

/** What Drizzle needs of D1: the binding itself, or one of its sessions (`withSession`). */
export type D1Client = Pick<D1Database, "prepare" | "batch">;

const clients = new WeakMap<Db, D1Client>();

/** A Drizzle handle over a D1 client (for a request: the session it runs in). */
export function createDb(client: D1Client): Db {
  const db = drizzle(client as D1Database);
  clients.set(db, client);
  return db;
}

// Prepared queries are built once per isolate on a handle that never runs anything; each use
// gets a view of the cached query bound to the request's own client (its D1 session), so no
// statement crosses from one request's session into another's.
const template = drizzle({
  prepare: () => ({}),
  batch: () => Promise.reject(new Error("the template handle only builds queries")),
} as unknown as D1Database);
const preparedByName = new Map<string, { getQuery(): { sql: string } }>();

/**
 * Returns the prepared query `name` bound to this handle's D1 client, building it on first use.
 * Values go in through sql.placeholder(); placeholders bypass column mappers, so pass timestamps
 * as ms. (Drizzle keeps a prepared query's D1 statement in `stmt`; the per-request view replaces
 * only that field.)
 */
export function prepared<T extends { getQuery(): { sql: string } }>(db: Db, name: string, build: (db: Db) => T): T {
  let query = preparedByName.get(name) as T | undefined;
  if (query === undefined) {
    query = build(template);
    preparedByName.set(name, query);
  }
  const client = clients.get(db);
  if (!client) throw new Error("prepared() takes a handle made by createDb()");
  const view = Object.create(query) as T & { stmt: D1PreparedStatement };
  view.stmt = client.prepare(query.getQuery().sql);
  return view;
}

// Since drizzle-orm 0.44 driver errors arrive wrapped in DrizzleQueryError, the D1 error on .cause.
export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.message.includes("UNIQUE constraint failed")) return true;
  }
  return false;
}
