// CRUD on known_networks: the networks each user logged in from successfully, and when last.

import { and, eq, exists, gt, type SQL, sql } from "drizzle-orm";
import type { Db } from "./client";
import { knownNetworks, sessions, users } from "./schema";

/**
 * The user with an email, and whether they logged in from `network` after `since` (batchable;
 * zero or one row). No network (a request without a client address) is never known.
 */
export function selectUserForLogin(db: Db, email: string, network: string | null, since: Date) {
  const known =
    network === null
      ? sql<boolean>`0`
      : exists(
          db
            .select({ one: sql`1` })
            .from(knownNetworks)
            .where(
              and(
                eq(knownNetworks.userId, users.id),
                eq(knownNetworks.network, network),
                gt(knownNetworks.lastLoginAt, since),
              ),
            ),
        );
  return (
    db
      // Named: D1 keys row values by column name, and a numeric name ("0") would sort first.
      .select({ user: users, fromKnownNetwork: sql<number>`${known}`.mapWith(Boolean).as("from_known_network") })
      .from(users)
      .where(eq(users.email, email))
  );
}

/**
 * Records a successful login of the session's user from `network` (batchable). It selects from the
 * new session's row, so in the login's batch it writes only if that session was written.
 */
export function rememberNetworkStatement(db: Db, sessionId: string, network: string, now: Date) {
  return db
    .insert(knownNetworks)
    .select(
      db
        .select({
          userId: sessions.userId,
          network: sql<string>`${network}`.as("network"),
          lastLoginAt: sql<number>`${now.getTime()}`.as("last_login_at"),
        })
        .from(sessions)
        .where(eq(sessions.id, sessionId)),
    )
    .onConflictDoUpdate({
      target: [knownNetworks.userId, knownNetworks.network],
      set: { lastLoginAt: sql`excluded.last_login_at` },
    });
}

/** Forgets every network the user logged in from (batchable), only `when` the condition holds. */
export function forgetNetworksOfUserStatement(db: Db, userId: string, when: SQL) {
  return db.delete(knownNetworks).where(and(eq(knownNetworks.userId, userId), when));
}
