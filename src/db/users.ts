// CRUD on users. Expected outcomes (not found, email taken) are return values, not throws.

import { and, eq, exists, type SQL, sql } from "drizzle-orm";
import { voidAccountTokensStatement } from "./account-tokens";
import { type Db, isUniqueViolation, type Outcome } from "./client";
import { forgetNetworksOfUserStatement } from "./known-networks";
import { type User, users } from "./schema";
import { endSessionsOfUserStatement, whileSessionLive } from "./sessions";

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

export type UpdateUserResult = Outcome<{ user: User; sessionsEnded: number }, "email_taken" | "session_ended">;

export interface CredentialsUpdate {
  userId: string;
  /** The session the request was authenticated with: the update lands only while it is live. */
  sessionId: string;
  /** The address the account has after the update (with a change pending: its current one). */
  email: string;
  /** The address waiting for its owner's confirmation (REQUIRE_VERIFIED_EMAIL), or null: none. */
  pendingEmail: string | null;
  hashedPassword: string;
  /** A new password ends every session of the user, in the same batch. */
  passwordChanged: boolean;
  /** Something changed (address, pending address or password): the user's mail tokens go. */
  voidTokens: boolean;
  now: Date;
}

/**
 * Sets email and password hash in one batch (all or nothing), each statement carrying the check
 * it depends on: the user row changes only while the caller's session is live, and the sessions
 * end only if that change landed (the new hash, freshly salted, is in the row). Reports an email
 * taken by someone else.
 */
export async function updateUserCredentials(db: Db, input: CredentialsUpdate): Promise<UpdateUserResult> {
  const { userId, sessionId, email, pendingEmail, hashedPassword, now } = input;
  const update = db
    .update(users)
    // A new address is unverified until its owner follows the link sent to it.
    .set({
      email,
      pendingEmail,
      hashedPassword,
      updatedAt: now,
      emailVerified: sql`${users.email} = ${email} and ${users.emailVerified}`,
    })
    .where(and(eq(users.id, userId), whileSessionLive(db, userId, sessionId, now.getTime())))
    .returning();
  // Only if this request's freshly salted hash landed (the update above carried the session check).
  const newHashLanded = exists(
    db
      .select({ one: sql`1` })
      .from(users)
      .where(and(eq(users.id, userId), eq(users.hashedPassword, hashedPassword))),
  );
  // The statements below run right after the update, in its batch: "the caller's session is still
  // live" is the condition the update carried, so they land exactly when it did.
  const updateLanded = and(
    whileSessionLive(db, userId, sessionId, now.getTime()),
    exists(
      db
        .select({ one: sql`1` })
        .from(users)
        .where(and(eq(users.id, userId), eq(users.email, email), eq(users.hashedPassword, hashedPassword))),
    ),
  ) as SQL;
  try {
    // Every mail link sent before the change stops working (the old address's, the old password's).
    const voidTokens = voidAccountTokensStatement(db, userId, input.voidTokens ? updateLanded : sql`0`);
    if (!input.passwordChanged) {
      const [rows] = await db.batch([update, voidTokens]);
      return rows[0] ? { ok: true, user: rows[0], sessionsEnded: 0 } : { ok: false, reason: "session_ended" };
    }
    // A new password forgets the networks known under the old one; then every session ends.
    const [rows, , , ended] = await db.batch([
      update,
      voidTokens,
      forgetNetworksOfUserStatement(db, userId, updateLanded),
      endSessionsOfUserStatement(db, userId, now, newHashLanded),
    ]);
    return rows[0] ? { ok: true, user: rows[0], sessionsEnded: ended.length } : { ok: false, reason: "session_ended" };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: "email_taken" };
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
