// CRUD on chirps. Listing orders by created_at, then rowid (insertion order) for ties.

import { and, asc, desc, eq, getTableColumns, sql } from "drizzle-orm";
import type { Caller } from "../caller";
import { type Db, prepared } from "./client";
import { type Chirp, chirps, isLive, rowid, sessions } from "./schema";
import { whileSessionLive } from "./sessions";

/**
 * Inserts a chirp only while its author's session is live, in one statement: the row is
 * selected from the session, so an ended session or a deleted user inserts nothing (null).
 */
export async function insertChirpInLiveSession(
  db: Db,
  chirp: { id: string; body: string; userId: string; createdAt: Date },
  sessionId: string,
): Promise<Chirp | null> {
  const query = prepared(db, "insertChirpInLiveSession", (db) => {
    const now = sql.placeholder("now");
    return db
      .insert(chirps)
      .select(
        db
          .select({
            id: sql<string>`${sql.placeholder("id")}`.as("id"),
            createdAt: sql<number>`${now}`.as("created_at"),
            updatedAt: sql<number>`${now}`.as("updated_at"),
            body: sql<string>`${sql.placeholder("body")}`.as("body"),
            userId: sessions.userId,
          })
          .from(sessions)
          .where(
            and(
              eq(sessions.id, sql.placeholder("sessionId")),
              eq(sessions.userId, sql.placeholder("userId")),
              isLive(sessions, now),
            ),
          ),
      )
      .returning()
      .prepare();
  });
  const rows = await query.execute({
    id: chirp.id,
    body: chirp.body,
    userId: chirp.userId,
    sessionId,
    now: chirp.createdAt.getTime(),
  });
  return rows[0] ?? null;
}

/** Where a page starts: after (or, newest first, before) this chirp's place in the order. */
export interface ChirpPosition {
  createdAt: number;
  rowid: number;
}

/** A chirp with its place in the timeline order (created_at, then rowid: insertion order). */
export type PositionedChirp = Chirp & { rowid: number };

/**
 * One page of the timeline, in keyset order: at most `limit` chirps after `after` (none: from
 * the start). Served by chirps_created_at_idx or chirps_user_id_created_at_idx, which carry the
 * rowid: the index range starts at the position, so a page costs the same at any depth and size.
 * `created_at >= t AND (created_at > t OR rowid > r)` keeps the range on the index (a row-value
 * comparison or a bare OR would not), filtering only the position's own millisecond.
 */
export async function listChirpsPage(
  db: Db,
  options: { authorId?: string; order: "asc" | "desc"; limit: number; after?: ChirpPosition },
): Promise<PositionedChirp[]> {
  const byAuthor = options.authorId !== undefined;
  const asc_ = options.order === "asc";
  const query = prepared(db, `listChirpsPage:${byAuthor ? "author" : "all"}:${options.order}`, (db) => {
    const direction = asc_ ? asc : desc;
    const t = sql.placeholder("createdAt");
    const r = sql.placeholder("rowid");
    const position = asc_
      ? sql`${chirps.createdAt} >= ${t} and (${chirps.createdAt} > ${t} or ${rowid} > ${r})`
      : sql`${chirps.createdAt} <= ${t} and (${chirps.createdAt} < ${t} or ${rowid} < ${r})`;
    return db
      .select({ ...getTableColumns(chirps), rowid: sql<number>`${rowid}`.as("position") })
      .from(chirps)
      .where(byAuthor ? and(eq(chirps.userId, sql.placeholder("authorId")), position) : position)
      .orderBy(direction(chirps.createdAt), direction(rowid))
      .limit(sql.placeholder("limit"))
      .prepare();
  });
  // No position: from before the first (or after the last) chirp there can be.
  const start =
    options.after ?? (asc_ ? { createdAt: -1, rowid: 0 } : { createdAt: Number.MAX_SAFE_INTEGER, rowid: 0 });
  return query.execute({
    ...(byAuthor ? { authorId: options.authorId } : {}),
    createdAt: start.createdAt,
    rowid: start.rowid,
    limit: options.limit,
  });
}

export async function findChirpById(db: Db, id: string): Promise<Chirp | null> {
  const query = prepared(db, "findChirpById", (db) =>
    db
      .select()
      .from(chirps)
      .where(eq(chirps.id, sql.placeholder("id")))
      .prepare(),
  );
  return (await query.get({ id })) ?? null;
}

/**
 * Deletes a chirp only if it belongs to the user and the user's session is still live, in one
 * statement; returns whether a row went.
 */
export async function deleteChirpOfUser(db: Db, id: string, owner: Caller, now: Date): Promise<boolean> {
  const rows = await db
    .delete(chirps)
    .where(
      and(
        eq(chirps.id, id),
        eq(chirps.userId, owner.userId),
        whileSessionLive(db, owner.userId, owner.sessionId, now.getTime()),
      ),
    )
    .returning({ id: chirps.id });
  return rows.length > 0;
}
