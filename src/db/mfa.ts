// Two-factor authentication's rows: the user's sealed TOTP secret and last accepted step, recovery
// codes (keyed digests), and mfa_tokens (a login's second step). Every write that depends on a
// check carries it: a code's step only moves forward, a recovery code is spent by the statement
// that finds it, an mfa_token works only while its user has the password hash it was issued under.

import {
  and,
  count,
  eq,
  exists,
  getTableColumns,
  gt,
  inArray,
  isNotNull,
  isNull,
  lt,
  or,
  type SQL,
  sql,
} from "drizzle-orm";
import type { Db } from "./client";
import { mfaTokens, recoveryCodes, users } from "./schema";
import { whileSessionLive } from "./sessions";

/** "Only a later step than the last accepted one", as a condition on users. */
export const stepIsNew = (step: number) => or(isNull(users.totpLastStep), lt(users.totpLastStep, step)) as SQL;

/** Keeps a new secret as the one being enrolled, replacing any earlier (batchable), while the caller's session is live. */
export const savePendingSecretStatement = (
  db: Db,
  caller: { userId: string; sessionId: string },
  sealed: string,
  now: Date,
) =>
  db
    .update(users)
    .set({ totpPendingSecret: sealed })
    .where(and(eq(users.id, caller.userId), whileSessionLive(db, caller.userId, caller.sessionId, now.getTime())))
    .returning({ id: users.id });

/**
 * Replaces the user's recovery codes (two batchable statements), only while `condition` holds of
 * the user's row (the write before them in the batch landed).
 */
function replaceCodesStatements(db: Db, userId: string, digests: string[], now: Date, condition: SQL) {
  const when = userWhere(db, userId, condition);
  return [
    db.delete(recoveryCodes).where(and(eq(recoveryCodes.userId, userId), when)),
    db.insert(recoveryCodes).select(
      db
        .select({
          digest: sql<string>`value`.as("digest"),
          userId: sql<string>`${userId}`.as("user_id"),
          createdAt: sql<number>`${now.getTime()}`.as("created_at"),
        })
        .from(sql`json_each(${JSON.stringify(digests)})`)
        .where(when),
    ),
  ] as const;
}

/** "This user's row, where `condition`", as a condition another table's statement can carry. */
const userWhere = (db: Db, userId: string, condition: SQL) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(users)
      .where(and(eq(users.id, userId), condition)),
  ) as SQL;

/**
 * Turns TOTP on: the pending secret becomes the secret (only if it is still the one whose code was
 * checked), the step is spent, and the recovery codes are replaced, in one batch.
 */
export async function enableTotp(
  db: Db,
  input: { userId: string; sessionId: string; pending: string; step: number; digests: string[]; now: Date },
): Promise<boolean> {
  const { userId, pending, step, now } = input;
  const enabled = and(isNotNull(users.totpSecret), eq(users.totpSecret, pending), eq(users.totpLastStep, step)) as SQL;
  const [updated] = await db.batch([
    db
      .update(users)
      .set({ totpSecret: pending, totpPendingSecret: null, totpLastStep: step })
      .where(
        and(
          eq(users.id, userId),
          eq(users.totpPendingSecret, pending),
          whileSessionLive(db, userId, input.sessionId, now.getTime()),
        ),
      )
      .returning({ id: users.id }),
    ...replaceCodesStatements(db, userId, input.digests, now, enabled),
  ]);
  return updated.length > 0;
}

/** Replaces the recovery codes, spending a TOTP code's step (only a later step than the last works). */
export async function replaceRecoveryCodes(
  db: Db,
  input: { userId: string; sessionId: string; step: number; digests: string[]; now: Date },
): Promise<boolean> {
  const { userId, step, now } = input;
  const spent = eq(users.totpLastStep, step) as SQL;
  const [updated] = await db.batch([
    db
      .update(users)
      .set({ totpLastStep: step })
      .where(
        and(
          eq(users.id, userId),
          isNotNull(users.totpSecret),
          stepIsNew(step),
          whileSessionLive(db, userId, input.sessionId, now.getTime()),
        ),
      )
      .returning({ id: users.id }),
    ...replaceCodesStatements(db, userId, input.digests, now, spent),
  ]);
  return updated.length > 0;
}

/**
 * Turns TOTP off with a TOTP code (its step spent) or a recovery code (spent): the secret, the
 * pending one, the step and every recovery code go, in one batch, only if the code still counts.
 */
export async function disableTotp(
  db: Db,
  input: { userId: string; sessionId: string; now: Date } & ({ step: number } | { recoveryDigests: string[] }),
): Promise<boolean> {
  const { userId, now } = input;
  const proof =
    "step" in input
      ? stepIsNew(input.step)
      : (exists(
          db
            .select({ one: sql`1` })
            .from(recoveryCodes)
            .where(and(eq(recoveryCodes.userId, userId), inArray(recoveryCodes.digest, input.recoveryDigests))),
        ) as SQL);
  const [updated] = await db.batch([
    db
      .update(users)
      .set({ totpSecret: null, totpPendingSecret: null, totpLastStep: null })
      .where(
        and(
          eq(users.id, userId),
          isNotNull(users.totpSecret),
          proof,
          whileSessionLive(db, userId, input.sessionId, now.getTime()),
        ),
      )
      .returning({ id: users.id }),
    db
      .delete(recoveryCodes)
      .where(and(eq(recoveryCodes.userId, userId), userWhere(db, userId, isNull(users.totpSecret) as SQL))),
  ]);
  return updated.length > 0;
}

/** How many recovery codes the user has left (batchable). */
export const recoveryCodeCountStatement = (db: Db, userId: string) =>
  db.select({ n: count() }).from(recoveryCodes).where(eq(recoveryCodes.userId, userId));

// ---- the login's second step ----------------------------------------------------------------------

export const MAX_MFA_TOKEN_FAILURES = 5;

/** Stores an mfa_token (its hash) for a user whose password was right, under that password's hash. */
export function saveMfaToken(db: Db, token: { hash: string; userId: string; passwordHash: string; expiresAt: Date }) {
  return db.insert(mfaTokens).values({
    tokenHash: token.hash,
    userId: token.userId,
    passwordHash: token.passwordHash,
    expiresAt: token.expiresAt,
    failures: 0,
  });
}

/** "The mfa_token is live": unexpired, under five failures, and its user still has the password hash it was issued under. */
const liveMfaToken = (hash: string, now: Date) =>
  and(
    eq(mfaTokens.tokenHash, hash),
    gt(mfaTokens.expiresAt, now),
    lt(mfaTokens.failures, MAX_MFA_TOKEN_FAILURES),
    eq(mfaTokens.passwordHash, users.hashedPassword),
  ) as SQL;

/** The user of a live mfa_token, or nothing. */
export function findMfaTokenUser(db: Db, hash: string, now: Date) {
  return db
    .select(getTableColumns(users))
    .from(mfaTokens)
    .innerJoin(users, eq(users.id, mfaTokens.userId))
    .where(liveMfaToken(hash, now));
}

/** Counts a wrong code against the mfa_token; yields its failures (the fifth kills it). */
export function countMfaFailure(db: Db, hash: string) {
  return db
    .update(mfaTokens)
    .set({ failures: sql`${mfaTokens.failures} + 1` })
    .where(eq(mfaTokens.tokenHash, hash))
    .returning({ failures: mfaTokens.failures });
}

/** "The mfa_token is still live for this user", as a condition on users (the session carries it). */
export const mfaTokenStillLive = (db: Db, hash: string, now: Date) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(mfaTokens)
      .where(and(liveMfaToken(hash, now), eq(mfaTokens.userId, users.id))),
  ) as SQL;

/** "The user still has one of these recovery codes", as a condition on users. */
export const hasRecoveryCode = (db: Db, digests: string[]) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.userId, users.id), inArray(recoveryCodes.digest, digests))),
  ) as SQL;

/** What lands with the second step's session (only `when` it was written): the token spent, and the step or code. */
export function spendSecondStepStatements(
  db: Db,
  input: { userId: string; tokenHash: string } & ({ step: number } | { recoveryDigests: string[] }),
  when: SQL,
) {
  return [
    db.delete(mfaTokens).where(and(eq(mfaTokens.tokenHash, input.tokenHash), when)),
    "step" in input
      ? db
          .update(users)
          .set({ totpLastStep: input.step })
          .where(and(eq(users.id, input.userId), when))
      : db
          .delete(recoveryCodes)
          .where(
            and(eq(recoveryCodes.userId, input.userId), inArray(recoveryCodes.digest, input.recoveryDigests), when),
          ),
  ];
}

/** Replaces a sealed secret with the same secret sealed under the current key (batchable), `when` the condition holds. */
export const resealStatement = (db: Db, userId: string, sealed: string, resealed: string, when: SQL) =>
  db
    .update(users)
    .set({ totpSecret: resealed })
    .where(and(eq(users.id, userId), eq(users.totpSecret, sealed), when));
