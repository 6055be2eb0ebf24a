// Passkeys and WebAuthn challenges. A challenge is stored as its SHA-256 and consumed by the very
// statement that checks it (a DELETE … RETURNING, or an INSERT that requires it in the same batch
// as its DELETE), so one challenge serves one ceremony however many requests race for it.

import { and, asc, count, eq, exists, getTableColumns, gt, type SQL, sql } from "drizzle-orm";
import type { Db } from "./client";
import { type Passkey, passkeys, users, webauthnChallenges } from "./schema";
import { whileSessionLive } from "./sessions";

type ChallengePurpose = (typeof webauthnChallenges.$inferInsert)["purpose"];

/** The user's WebAuthn user handle (batchable): yields the one it has, or `candidate` stored as its first. */
export const userHandleStatement = (db: Db, userId: string, candidate: string) =>
  db
    .update(users)
    .set({ webauthnUserHandle: sql`coalesce(${users.webauthnUserHandle}, ${candidate})` })
    .where(eq(users.id, userId))
    .returning({ handle: users.webauthnUserHandle });

/** Stores a challenge (its hash) for one ceremony, a user's for a registration. */
export function saveChallengeStatement(
  db: Db,
  challenge: { hash: string; purpose: ChallengePurpose; userId: string | null; expiresAt: Date },
) {
  return db.insert(webauthnChallenges).values({
    challengeHash: challenge.hash,
    purpose: challenge.purpose,
    userId: challenge.userId,
    expiresAt: challenge.expiresAt,
  });
}

const liveChallenge = (hash: string, purpose: ChallengePurpose, userId: string | null, now: Date) =>
  and(
    eq(webauthnChallenges.challengeHash, hash),
    eq(webauthnChallenges.purpose, purpose),
    userId === null ? undefined : eq(webauthnChallenges.userId, userId),
    gt(webauthnChallenges.expiresAt, now),
  );

/** Consumes a live challenge (batchable): yields it if this statement took it, nothing otherwise. */
export function consumeChallengeStatement(db: Db, hash: string, purpose: ChallengePurpose, now: Date) {
  return db
    .delete(webauthnChallenges)
    .where(liveChallenge(hash, purpose, null, now))
    .returning({ hash: webauthnChallenges.challengeHash });
}

export type PasskeyListing = Pick<Passkey, "id" | "name" | "createdAt" | "lastUsedAt">;

const listing = {
  id: passkeys.id,
  name: passkeys.name,
  createdAt: passkeys.createdAt,
  lastUsedAt: passkeys.lastUsedAt,
};

/** The user's passkeys, oldest first. */
export const listPasskeys = (db: Db, userId: string): Promise<PasskeyListing[]> =>
  db.select(listing).from(passkeys).where(eq(passkeys.userId, userId)).orderBy(asc(passkeys.createdAt));

/** The credential ids of the user's passkeys (batchable), for a registration to exclude. */
export const selectPasskeyCredentials = (db: Db, userId: string) =>
  db.select({ credentialId: passkeys.credentialId }).from(passkeys).where(eq(passkeys.userId, userId));

/** How many passkeys the user has (batchable). */
export const passkeyCountStatement = (db: Db, userId: string) =>
  db.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, userId));

export interface NewPasskey {
  id: string;
  userId: string;
  credentialId: string;
  publicKey: string;
  algorithm: number;
  signCount: number;
  name: string;
  createdAt: Date;
}

export type RegistrationOutcome =
  | { ok: true; passkey: PasskeyListing }
  | { ok: false; reason: "challenge" | "exists" | "session_ended" };

/**
 * Stores a passkey in one batch, only while the user's registration challenge is live and the
 * caller's session is too; the challenge is consumed in the same batch. Two requests with one
 * challenge: the first stores, the second finds it gone.
 */
export async function registerPasskey(
  db: Db,
  passkey: NewPasskey,
  caller: { sessionId: string; challengeHash: string },
): Promise<RegistrationOutcome> {
  const now = passkey.createdAt;
  const [inserted, consumed, taken] = await db.batch([
    db
      .insert(passkeys)
      .select(
        db
          .select({
            id: sql<string>`${passkey.id}`.as("id"),
            userId: users.id,
            credentialId: sql<string>`${passkey.credentialId}`.as("credential_id"),
            publicKey: sql<string>`${passkey.publicKey}`.as("public_key"),
            algorithm: sql<number>`${passkey.algorithm}`.as("algorithm"),
            signCount: sql<number>`${passkey.signCount}`.as("sign_count"),
            name: sql<string>`${passkey.name}`.as("name"),
            createdAt: sql<number>`${now.getTime()}`.as("created_at"),
            lastUsedAt: sql<null>`null`.as("last_used_at"),
          })
          .from(users)
          .where(
            and(
              eq(users.id, passkey.userId),
              exists(
                db
                  .select({ one: sql`1` })
                  .from(webauthnChallenges)
                  .where(liveChallenge(caller.challengeHash, "registration", passkey.userId, now)),
              ),
              whileSessionLive(db, passkey.userId, caller.sessionId, now.getTime()),
            ),
          ),
      )
      .onConflictDoNothing({ target: passkeys.credentialId })
      .returning(listing),
    db
      .delete(webauthnChallenges)
      .where(liveChallenge(caller.challengeHash, "registration", passkey.userId, now))
      .returning({ hash: webauthnChallenges.challengeHash }),
    db.select({ id: passkeys.id }).from(passkeys).where(eq(passkeys.credentialId, passkey.credentialId)),
  ]);
  if (inserted[0]) return { ok: true, passkey: inserted[0] };
  if (consumed.length === 0) return { ok: false, reason: "challenge" };
  return { ok: false, reason: taken.length > 0 ? "exists" : "session_ended" };
}

/** Removes one of the user's passkeys while the caller's session is live; false when there is no such passkey. */
export async function removePasskey(
  db: Db,
  caller: { userId: string; sessionId: string },
  passkeyId: string,
  now: Date,
): Promise<boolean> {
  const removed = await db
    .delete(passkeys)
    .where(
      and(
        eq(passkeys.id, passkeyId),
        eq(passkeys.userId, caller.userId),
        whileSessionLive(db, caller.userId, caller.sessionId, now.getTime()),
      ),
    )
    .returning({ id: passkeys.id });
  return removed.length > 0;
}

/**
 * A passkey by its credential id, with its user (batchable). The passkey's columns are aliased:
 * a D1 batch returns rows keyed by column name, where passkeys.id would overwrite users.id.
 */
export function selectPasskeyForLogin(db: Db, credentialId: string) {
  return db
    .select({
      ...getTableColumns(users),
      passkeyId: sql<string>`${passkeys.id}`.as("passkey_id"),
      passkeyPublicKey: sql<string>`${passkeys.publicKey}`.as("passkey_public_key"),
      passkeyAlgorithm: sql<number>`${passkeys.algorithm}`.as("passkey_algorithm"),
      passkeySignCount: sql<number>`${passkeys.signCount}`.as("passkey_sign_count"),
    })
    .from(passkeys)
    .innerJoin(users, eq(users.id, passkeys.userId))
    .where(eq(passkeys.credentialId, credentialId));
}

/** "The user still has this passkey, at this counter", as a condition on users (a login's session carries it). */
export const stillHasPasskey = (db: Db, passkey: Pick<Passkey, "id" | "signCount">) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(passkeys)
      .where(
        and(eq(passkeys.id, passkey.id), eq(passkeys.userId, users.id), eq(passkeys.signCount, passkey.signCount)),
      ),
  ) as SQL;

/** Records a passkey's use: its new counter and when (batchable), `when` the login's session was written. */
export function recordPasskeyUseStatement(
  db: Db,
  passkey: Pick<Passkey, "id" | "signCount">,
  signCount: number,
  now: Date,
  when: SQL,
) {
  return db
    .update(passkeys)
    .set({ signCount, lastUsedAt: now })
    .where(and(eq(passkeys.id, passkey.id), eq(passkeys.signCount, passkey.signCount), when));
}
