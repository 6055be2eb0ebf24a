// The cron job: forget sessions and refresh tokens that ended more than a week ago, and
// login-attempt and sign-up counters whose window has passed.

import type { Deps } from "../context";
import { deleteStaleRows } from "../db/housekeeping";

/** How long ended sessions and tokens are kept (for support and audit) before deletion. */
export const ENDED_RETENTION_SECONDS = 7 * 24 * 3600;

export function runHousekeeping(deps: Deps) {
  const nowMs = deps.clock.now();
  return deleteStaleRows(deps.db, {
    endedBefore: new Date(nowMs - ENDED_RETENTION_SECONDS * 1000),
    attemptWindowStartedBefore: new Date(nowMs - deps.config.loginFailureWindowSeconds * 1000),
    signupWindowStartedBefore: new Date(nowMs - deps.config.signupWindowSeconds * 1000),
  });
}
