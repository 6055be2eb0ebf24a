// CRUD on chirps. Listing orders by created_at, then rowid (insertion order) for ties.

import { and, asc, desc, eq, type SQL } from "drizzle-orm";
import type { Db } from "./client";
import { type Chirp, chirps, rowid } from "./schema";

export type NewChirp = typeof chirps.$inferInsert;

export async function insertChirp(db: Db, chirp: NewChirp): Promise<Chirp> {
  const rows = await db.insert(chirps).values(chirp).returning();
  return rows[0];
}

export async function listChirps(db: Db, options: { authorId?: string; order: "asc" | "desc" }): Promise<Chirp[]> {
  const direction = options.order === "asc" ? asc : desc;
  const where: SQL | undefined = options.authorId ? eq(chirps.userId, options.authorId) : undefined;
  return db
    .select()
    .from(chirps)
    .where(where)
    .orderBy(direction(chirps.createdAt), direction(rowid));
}

export async function findChirpById(db: Db, id: string): Promise<Chirp | null> {
  return (await db.select().from(chirps).where(eq(chirps.id, id)).get()) ?? null;
}

/** Deletes a chirp only if it belongs to the user; returns whether a row went. */
export async function deleteChirpOfUser(db: Db, id: string, userId: string): Promise<boolean> {
  const rows = await db
    .delete(chirps)
    .where(and(eq(chirps.id, id), eq(chirps.userId, userId)))
    .returning({ id: chirps.id });
  return rows.length > 0;
}
