// CRUD on users. Expected outcomes (not found, email taken) are return values, not throws.

import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "./client";
import { type User, users } from "./schema";

export type NewUser = typeof users.$inferInsert;

/** Inserts a user; returns null when the email is already taken (no error parsing needed). */
export async function insertUser(db: Db, user: NewUser): Promise<User | null> {
  const rows = await db.insert(users).values(user).onConflictDoNothing({ target: users.email }).returning();
  return rows[0] ?? null;
}

/** The user with an email, as a batchable statement (yields zero or one row). */
export function selectUserByEmail(db: Db, email: string) {
  return db.select().from(users).where(eq(users.email, email));
}

export type UpdateUserResult = { user: User } | { conflict: true } | { missing: true };

/**
 * Updates email and password hash, with any statements that must land together with it (one
 * batch: all or nothing); reports an email taken by someone else.
 */
export async function updateUserCredentials(
  db: Db,
  id: string,
  values: { email: string; hashedPassword: string; updatedAt: Date },
  alongside: BatchItem<"sqlite">[] = [],
): Promise<UpdateUserResult> {
  try {
    const update = db.update(users).set(values).where(eq(users.id, id)).returning();
    const [rows] = await db.batch([update, ...alongside]);
    return rows[0] ? { user: rows[0] } : { missing: true };
  } catch (error) {
    if (isUniqueViolation(error)) return { conflict: true };
    throw error;
  }
}

export async function setChirpyRed(db: Db, id: string, updatedAt: Date): Promise<boolean> {
  const rows = await db
    .update(users)
    .set({ isChirpyRed: true, updatedAt })
    .where(eq(users.id, id))
    .returning({ id: users.id });
  return rows.length > 0;
}

/** Deletes every user; their refresh tokens and chirps go with them (ON DELETE CASCADE). */
export async function deleteAllUsers(db: Db): Promise<number> {
  const rows = await db.delete(users).returning({ id: users.id });
  return rows.length;
}

export async function pingDatabase(db: Db): Promise<void> {
  await db.run(sql`select 1`);
}

// Since drizzle-orm 0.44 driver errors arrive wrapped in DrizzleQueryError, the D1 error on .cause.
function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.message.includes("UNIQUE constraint failed")) return true;
  }
  return false;
}
