// Operations: the dev-only reset, the health check, and the housekeeping cron.

import { backgroundSettled } from "../background";
import { deleteStaleRows } from "../db/housekeeping";
import { deleteAllUsers, pingDatabase } from "../db/users";
import type { Deps } from "../deps";
import { AppError, DATABASE_UNAVAILABLE, forbidden, RESET_DEV_ONLY } from "../errors";
import { type KeptMail, keptMailTo } from "../mail/dev-mailbox";

/**
 * The dev mailbox (PLATFORM=dev): the mails handed to the binding for an address, newest first,
 * once every background task started so far has ended (a reset's mail is sent after its answer).
 * The route exists only with PLATFORM=dev (routes/ops.ts).
 */
export async function readDevMailbox(address: string): Promise<KeptMail[]> {
  await backgroundSettled();
  return keptMailTo(address);
}

/** Deletes every user (tokens, sessions and chirps cascade); only when PLATFORM=dev. */
export async function resetAllUsers(deps: Deps): Promise<number> {
  if (deps.config.platform !== "dev") throw forbidden(RESET_DEV_ONLY);
  return deleteAllUsers(deps.db);
}

/** 503 when D1 does not answer. */
export async function checkDatabase(deps: Deps): Promise<void> {
  try {
    await pingDatabase(deps.db);
  } catch {
    throw new AppError(503, DATABASE_UNAVAILABLE);
  }
}

/** How long ended sessions and tokens are kept (for support and audit) before deletion. */
const ENDED_RETENTION_SECONDS = 7 * 24 * 3600;

/**
 * The cron job: forget sessions and refresh tokens that ended more than a week ago, counters
 * whose window has passed, and networks no longer "known" to their user.
 */
export function runHousekeeping(deps: Deps) {
  const { config, clock } = deps;
  const nowMs = clock.now();
  const ago = (seconds: number) => new Date(nowMs - seconds * 1000);
  return deleteStaleRows(deps.db, {
    endedBefore: ago(ENDED_RETENTION_SECONDS),
    attemptWindowStartedBefore: {
      email: ago(config.loginFailureWindowSeconds),
      account: ago(config.loginFailureWindowSeconds),
      ip: ago(config.loginFailureWindowSeconds),
      login: ago(config.loginFailureWindowSeconds),
      signup: ago(config.signupWindowSeconds),
      password: ago(config.passwordChangeWindowSeconds),
      reset: ago(config.mailWindowSeconds),
      "reset-ip": ago(config.mailWindowSeconds),
      verify: ago(config.mailWindowSeconds),
    },
    networkLastLoginBefore: ago(config.loginKnownNetworkSeconds),
  });
}
