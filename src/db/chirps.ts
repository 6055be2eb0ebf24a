// CRUD on chirps. Listing orders by created_at, then rowid (insertion order) for ties.

import { and, asc, desc, eq, sql } from "drizzle-orm";
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

export async function listChirps(db: Db, options: { authorId?: string; order: "asc" | "desc" }): Promise<Chirp[]> {
  const byAuthor = options.authorId !== undefined;
  const query = prepared(db, `listChirps:${byAuthor ? "author" : "all"}:${options.order}`, (db) => {
    const direction = options.order === "asc" ? asc : desc;
    return db
      .select()
      .from(chirps)
      .where(byAuthor ? eq(chirps.userId, sql.placeholder("authorId")) : undefined)
      .orderBy(direction(chirps.createdAt), direction(rowid))
      .prepare();
  });
  return query.execute(byAuthor ? { authorId: options.authorId } : {});
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
