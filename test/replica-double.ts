// A test double of D1's Sessions API with read replication, over two local D1 databases: the
// primary (env.DB) and a replica (env.REPLICA_DB) that catches up only when a test calls
// catchUp(). Local D1 has no replicas, so this is how a lagging replica is tested.
// Writes always go to the primary (as D1 forwards them). Bookmarks order writes: each write trip
// moves the primary one version on; a session's bookmark is the newest version it has seen, and a
// read goes to the replica only when the replica has reached it. "first-primary" sessions stay on
// the primary (real D1 may move their later reads to a replica that is at least as fresh, which
// is never staler than this).

import { env } from "cloudflare:workers";

const READ = /^\s*(select|with)\b/i;
const bookmarkOf = (version: number) => `${version.toString(16).padStart(8, "0")}-00000000`;
const versionOf = (bookmark: string) => Number.parseInt(bookmark.split("-")[0], 16);

interface Pending {
  sql: string;
  args: unknown[];
}

export interface LaggingReplica {
  /** A D1Database whose withSession() routes as described above. */
  db: D1Database;
  /** Copies the primary into the replica: the replica is now as fresh as the primary. */
  catchUp(): Promise<void>;
  /** Which database each trip went to, in order. */
  trips: ("primary" | "replica")[];
}

export function laggingReplica(primary: D1Database = env.DB, replica: D1Database = env.REPLICA_DB): LaggingReplica {
  let primaryVersion = 0;
  let replicaVersion = 0;
  const trips: ("primary" | "replica")[] = [];

  function withSession(start?: string) {
    let seen = start && start !== "first-primary" && start !== "first-unconstrained" ? versionOf(start) : 0;
    const pinned = start === "first-primary";
    const route = (write: boolean) => {
      const where = write || pinned || replicaVersion < seen ? "primary" : "replica";
      trips.push(where);
      return where;
    };
    const after = (where: "primary" | "replica", write: boolean) => {
      if (write) primaryVersion++;
      seen = Math.max(seen, where === "primary" ? primaryVersion : replicaVersion);
    };
    const statement = (pending: Pending): D1PreparedStatement => {
      const run =
        (method: "first" | "all" | "run" | "raw") =>
        async (...args: unknown[]) => {
          const write = !READ.test(pending.sql);
          const where = route(write);
          const db = where === "primary" ? primary : replica;
          const stmt = db.prepare(pending.sql).bind(...pending.args) as unknown as Record<
            string,
            (...a: unknown[]) => Promise<unknown>
          >;
          const result = await stmt[method](...args);
          after(where, write);
          return result;
        };
      return {
        bind: (...args: unknown[]) => statement({ sql: pending.sql, args }),
        first: run("first"),
        all: run("all"),
        run: run("run"),
        raw: run("raw"),
        pending,
      } as unknown as D1PreparedStatement;
    };
    return {
      prepare: (sql: string) => statement({ sql, args: [] }),
      async batch(statements: D1PreparedStatement[]) {
        const pending = statements.map((s) => (s as unknown as { pending: Pending }).pending);
        const write = pending.some((p) => !READ.test(p.sql));
        const where = route(write);
        const db = where === "primary" ? primary : replica;
        const results = await db.batch(pending.map((p) => db.prepare(p.sql).bind(...p.args)));
        after(where, write);
        return results;
      },
      getBookmark: () => (seen === 0 && primaryVersion === 0 ? null : bookmarkOf(seen)),
    } as unknown as D1DatabaseSession;
  }

  async function catchUp() {
    const tables = await primary
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' and name <> 'd1_migrations'",
      )
      .all<{ name: string }>();
    // Every delete before any insert (a cascade from one table's delete would empty another's
    // fresh copy); foreign keys are checked at the end of the batch.
    const statements: D1PreparedStatement[] = [
      replica.prepare("pragma defer_foreign_keys = on"),
      ...tables.results.map(({ name }) => replica.prepare(`delete from "${name}"`)),
    ];
    for (const { name } of tables.results) {
      const rows = await primary.prepare(`select * from "${name}"`).all<Record<string, unknown>>();
      for (const row of rows.results) {
        const columns = Object.keys(row);
        statements.push(
          replica
            .prepare(
              `insert into "${name}" (${columns.map((c) => `"${c}"`).join(", ")}) values (${columns.map(() => "?").join(", ")})`,
            )
            .bind(...columns.map((c) => row[c])),
        );
      }
    }
    await replica.batch(statements);
    replicaVersion = primaryVersion;
  }

  const db = new Proxy(primary, {
    get(target, prop) {
      if (prop === "withSession") return withSession;
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db, catchUp, trips };
}
