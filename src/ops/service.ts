// Operations: the dev-only reset, the health check, and the housekeeping cron.

import { passedWindowStarts } from "../auth/budgets";
import { backgroundSettled } from "../background";
import { type Cutoffs, type Deleted, deleteStaleRowsStep, nothingDeleted } from "../db/housekeeping";
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

/** How a housekeeping run is bounded: rows per statement, and wall time for the whole run. */
export interface HousekeepingBudget {
  /** The most rows one statement deletes (each step runs every sweep once, in one batch). */
  rowsPerStatement: number;
  /** No new step starts after this many milliseconds; the rest waits for the next run. */
  timeBudgetMs: number;
  /** Wall time in ms (the cron's deps clock is its trigger time, which does not move). */
  now: () => number;
}

/**
 * The cron's bounds: 200 rows a statement (a step of ~600–800 deleted rows then holds the
 * database for ~80 ms at a million rows locally, `npm run bench:scale`; D1 serves other queries
 * between steps) and 10 s of wall time, well inside a cron's 15 minutes.
 */
export const CRON_HOUSEKEEPING: HousekeepingBudget = {
  rowsPerStatement: 200,
  timeBudgetMs: 10_000,
  now: () => Date.now(),
};

/**
 * The cron job: forget sessions and refresh tokens that ended more than a week ago, counters
 * whose window has passed, networks no longer "known" to their user, and expired mail tokens;
 * in bounded steps until nothing is left or the time budget is spent (the rest drains next run).
 */
export async function runHousekeeping(deps: Deps, budget: HousekeepingBudget = CRON_HOUSEKEEPING) {
  const { config, clock } = deps;
  const nowMs = clock.now();
  const ago = (seconds: number) => new Date(nowMs - seconds * 1000);
  const cutoffs: Cutoffs = {
    endedBefore: ago(ENDED_RETENTION_SECONDS),
    attemptWindowStartedBefore: passedWindowStarts(config, nowMs),
    networkLastLoginBefore: ago(config.loginKnownNetworkSeconds),
    shortLivedExpiredBefore: new Date(nowMs),
  };
  const started = budget.now();
  const total: Deleted = nothingDeleted();
  let steps = 0;
  let more = true;
  while (more && (steps === 0 || budget.now() - started < budget.timeBudgetMs)) {
    const step = await deleteStaleRowsStep(deps.db, cutoffs, budget.rowsPerStatement);
    for (const table of Object.keys(total) as (keyof Deleted)[]) total[table] += step.deleted[table];
    more = step.more;
    steps++;
  }
  return { deleted: total, steps, finished: !more };
}
