// Single-use tokens sent by mail (password reset, email verification), keyed by the SHA-256 of
// the token. Consuming one is a DELETE … RETURNING in the same batch as what it unlocks, and every
// statement of that batch carries "the token is still there and live", so two confirms with one
// token cannot both land.

import { and, eq, exists, gt, inArray, isNotNull, notExists, or, type SQL, sql } from "drizzle-orm";
import { type Db, isUniqueViolation } from "./client";
import { forgetNetworksOfUserStatement } from "./known-networks";
import { keysStartingWith } from "./login-attempts";
import { accountTokens, loginAttempts, users } from "./schema";
import { endSessionsOfUserStatement } from "./sessions";

export type AccountTokenPurpose = (typeof accountTokens.$inferSelect)["purpose"];

export interface NewAccountToken {
  tokenHash: string;
  userId: string;
  purpose: AccountTokenPurpose;
  now: Date;
  expiresAt: Date;
  /** Which of the user's addresses the token goes to: the current one (default) or the pending one. */
  to?: "current" | "pending";
}

/**
 * Stores a token for the user a condition selects, bound to one of the user's addresses, replacing
 * the user's older one of the purpose (one statement: INSERT … SELECT … ON CONFLICT). Yields the
 * address and the user, or no row when the condition selects nobody (nothing stored or sent).
 */
function insertTokenFromUser(
  db: Db,
  token: Omit<NewAccountToken, "userId" | "to">,
  address: typeof users.email | typeof users.pendingEmail,
  who: SQL,
) {
  const { tokenHash, purpose, now, expiresAt } = token;
  return db
    .insert(accountTokens)
    .select(
      db
        .select({
          tokenHash: sql<string>`${tokenHash}`.as("token_hash"),
          userId: users.id,
          purpose: sql<AccountTokenPurpose>`${purpose}`.as("purpose"),
          email: sql<string>`${address}`.as("email"),
          createdAt: sql<number>`${now.getTime()}`.as("created_at"),
          expiresAt: sql<number>`${expiresAt.getTime()}`.as("expires_at"),
        })
        .from(users)
        .where(and(who, isNotNull(address))),
    )
    .onConflictDoUpdate({
      target: [accountTokens.userId, accountTokens.purpose],
      set: { tokenHash, email: sql`excluded.email`, createdAt: now, expiresAt },
    })
    .returning({ email: accountTokens.email, userId: accountTokens.userId });
}

/**
 * Stores a token for the user's current (or pending) address. No row when the user no longer
 * exists (deleted between the request and this background work) or has no such address.
 */
export function saveAccountTokenStatement(db: Db, token: NewAccountToken) {
  const address = token.to === "pending" ? users.pendingEmail : users.email;
  return insertTokenFromUser(db, token, address, eq(users.id, token.userId));
}

/**
 * Stores a token for the user who has `email` now, only while every budget in `within` is within
 * its limit (their counters reserved earlier in the same batch). No row: no such user, or over a
 * budget. The statement is the same, and runs the same, for a registered and an unknown address.
 */
export function issueAccountTokenToAddressStatement(
  db: Db,
  token: Omit<NewAccountToken, "userId"> & { email: string; within: { key: string; limit: number }[] },
) {
  const withinBudgets = token.within.map(
    ({ key, limit }) =>
      sql`coalesce((select ${loginAttempts.count} from ${loginAttempts} where ${loginAttempts.key} = ${key}), 0) <= ${limit}`,
  );
  return insertTokenFromUser(db, token, users.email, and(eq(users.email, token.email), ...withinBudgets) as SQL);
}

/**
 * Voids every outstanding mail token of the user (batchable), only `when` the condition holds: an
 * email or password change runs it in its own batch, so no link mailed before the change (to the
 * old address, or under the old password) works after it.
 */
export function voidAccountTokensStatement(db: Db, userId: string, when: SQL) {
  return db.delete(accountTokens).where(and(eq(accountTokens.userId, userId), when));
}

/** "The token is there, of this purpose and unexpired", as a condition on account_tokens. */
const isLiveToken = (tokenHash: string, purpose: AccountTokenPurpose, now: Date) =>
  and(eq(accountTokens.tokenHash, tokenHash), eq(accountTokens.purpose, purpose), gt(accountTokens.expiresAt, now));

export interface LiveAccountToken {
  userId: string;
  /** The address the token was sent to, and the user's address now. */
  email: string;
  userEmail: string;
}

/** The live token's owner and addresses, or null (unknown, used, replaced or expired). */
export async function findLiveAccountToken(
  db: Db,
  tokenHash: string,
  purpose: AccountTokenPurpose,
  now: Date,
): Promise<LiveAccountToken | null> {
  const [row] = await db
    .select({ userId: accountTokens.userId, email: accountTokens.email, userEmail: users.email })
    .from(accountTokens)
    .innerJoin(users, eq(users.id, accountTokens.userId))
    .where(isLiveToken(tokenHash, purpose, now));
  return row ?? null;
}

/** Consumes the token if it is still live: yields its owner, or no row (batchable). */
function consumeStatement(db: Db, tokenHash: string, purpose: AccountTokenPurpose, now: Date) {
  return db
    .delete(accountTokens)
    .where(isLiveToken(tokenHash, purpose, now))
    .returning({ userId: accountTokens.userId, email: accountTokens.email });
}

/** The live token's row exists, as a condition for the other statements of its batch. */
const whileTokenLive = (db: Db, tokenHash: string, purpose: AccountTokenPurpose, now: Date) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(accountTokens)
      .where(isLiveToken(tokenHash, purpose, now)),
  );

export interface PasswordReset {
  tokenHash: string;
  userId: string;
  hashedPassword: string;
  /** The address's login lock (per-email failure counters) to clear: keys, and key prefixes. */
  loginLock: { keys: string[]; prefixes: string[] };
  now: Date;
}

/**
 * A password reset, in one batch: the new hash is set (and the address marked verified, the token
 * having reached it) only while the token is live and the account's address is the one it was
 * sent to; every session of the user ends, the login lock clears, the known networks and every
 * other mail token of the user go only if that new hash landed; the token is consumed either way.
 * Null when the hash did not land (the token was used, replaced or expired, or the address
 * changed); else how many sessions ended.
 */
export async function resetPassword(db: Db, reset: PasswordReset): Promise<{ sessionsEnded: number } | null> {
  const { tokenHash, userId, hashedPassword, loginLock, now } = reset;
  const live = whileTokenLive(db, tokenHash, "password_reset", now);
  const sentTo = db
    .select({ email: accountTokens.email })
    .from(accountTokens)
    .where(isLiveToken(tokenHash, "password_reset", now));
  const newHashLanded = exists(
    db
      .select({ one: sql`1` })
      .from(users)
      .where(and(eq(users.id, userId), eq(users.hashedPassword, hashedPassword))),
  );
  const [updated, ended] = await db.batch([
    // Only while the token is live and the account's address is still the one it was mailed to.
    db
      .update(users)
      .set({ hashedPassword, updatedAt: now, emailVerified: true })
      .where(and(eq(users.id, userId), live, sql`${users.email} in ${sentTo}`))
      .returning({ id: users.id }),
    endSessionsOfUserStatement(db, userId, now, newHashLanded),
    db
      .delete(loginAttempts)
      .where(
        and(or(inArray(loginAttempts.key, loginLock.keys), ...loginLock.prefixes.map(keysStartingWith)), newHashLanded),
      ),
    // Networks the user logged in from were "known" under the old password: whoever knew it may
    // have been one of them.
    forgetNetworksOfUserStatement(db, userId, newHashLanded),
    consumeStatement(db, tokenHash, "password_reset", now),
    // The user's other mail tokens (a verification link) were issued under the old password.
    voidAccountTokensStatement(db, userId, newHashLanded),
  ]);
  return updated.length > 0 ? { sessionsEnded: ended.length } : null;
}

/**
 * An email verification, in one batch, consuming the token either way: while the token is live,
 * the address it was sent to is marked verified if it is still the user's, or, if it is the
 * user's pending address (REQUIRE_VERIFIED_EMAIL), becomes the user's address, verified, and the
 * user's other mail tokens (the old address's cancel link) go. "verified", "email_changed",
 * "address_changed" (the token was for an address the user no longer has or asks for),
 * "address_taken" (someone else has the pending address now: nothing changed, the token lives on),
 * or null (not live).
 */
export async function verifyEmail(
  db: Db,
  tokenHash: string,
  now: Date,
): Promise<{ userId: string; outcome: "verified" | "email_changed" | "address_changed" | "address_taken" } | null> {
  const sentTo = db
    .select({ email: accountTokens.email })
    .from(accountTokens)
    .where(isLiveToken(tokenHash, "email_verification", now));
  const ofToken = db
    .select({ userId: accountTokens.userId })
    .from(accountTokens)
    .where(isLiveToken(tokenHash, "email_verification", now));
  try {
    const [verified, changed, , consumed] = await db.batch([
      db
        .update(users)
        .set({ emailVerified: true, updatedAt: now })
        .where(and(sql`${users.id} in ${ofToken}`, sql`${users.email} in ${sentTo}`))
        .returning({ id: users.id }),
      db
        .update(users)
        .set({ email: sql`${users.pendingEmail}`, pendingEmail: null, emailVerified: true, updatedAt: now })
        .where(and(sql`${users.id} in ${ofToken}`, sql`${users.pendingEmail} in ${sentTo}`))
        .returning({ id: users.id }),
      // Nothing pending any more (the change landed): the old address's cancel link goes.
      db.delete(accountTokens).where(
        and(
          sql`${accountTokens.userId} in ${ofToken}`,
          eq(accountTokens.purpose, "email_change_cancel"),
          notExists(
            db
              .select({ one: sql`1` })
              .from(users)
              .where(and(sql`${users.id} in ${ofToken}`, isNotNull(users.pendingEmail))),
          ),
        ),
      ),
      consumeStatement(db, tokenHash, "email_verification", now),
    ]);
    if (!consumed[0]) return null;
    const { userId } = consumed[0];
    if (changed.length > 0) return { userId, outcome: "email_changed" };
    return { userId, outcome: verified.length > 0 ? "verified" : "address_changed" };
  } catch (error) {
    if (isUniqueViolation(error)) {
      const owner = await db
        .select({ userId: accountTokens.userId })
        .from(accountTokens)
        .where(eq(accountTokens.tokenHash, tokenHash));
      return owner[0] ? { userId: owner[0].userId, outcome: "address_taken" } : null;
    }
    throw error;
  }
}

/**
 * Cancels the user's pending address change, in one batch: only while the cancel token is live and
 * was sent to the user's current address; the pending address's verification link goes with it.
 * The user's id, or null (unknown, used or expired token, or nothing pending).
 */
export async function cancelEmailChange(db: Db, tokenHash: string, now: Date): Promise<string | null> {
  const sentTo = db
    .select({ email: accountTokens.email })
    .from(accountTokens)
    .where(isLiveToken(tokenHash, "email_change_cancel", now));
  const ofToken = db
    .select({ userId: accountTokens.userId })
    .from(accountTokens)
    .where(isLiveToken(tokenHash, "email_change_cancel", now));
  const [cancelled, , consumed] = await db.batch([
    db
      .update(users)
      .set({ pendingEmail: null, updatedAt: now })
      .where(and(sql`${users.id} in ${ofToken}`, sql`${users.email} in ${sentTo}`, isNotNull(users.pendingEmail)))
      .returning({ id: users.id }),
    db
      .delete(accountTokens)
      .where(
        and(
          sql`${accountTokens.userId} in ${ofToken}`,
          eq(accountTokens.purpose, "email_verification"),
          sql`${accountTokens.email} not in (select ${users.email} from ${users} where ${users.id} = ${accountTokens.userId})`,
        ),
      ),
    consumeStatement(db, tokenHash, "email_change_cancel", now),
  ]);
  return consumed[0] && cancelled.length > 0 ? consumed[0].userId : null;
}
