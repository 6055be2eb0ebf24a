// The sessions a user can see and end (one per login). Each end is one statement that carries the
// caller's live-session check. Never sees Context, Request or Response.

import { isSessionLive } from "../auth/access";
import type { Caller } from "../caller";
import type { Session } from "../db/schema";
import { listLiveSessions, revokeAllSessionsOfUser, revokeSessionOfUser } from "../db/sessions";
import type { Deps } from "../deps";
import { INVALID_ACCESS_TOKEN, invalidToken, notFound, SESSION_NOT_FOUND } from "../errors";
import { emitSecurityEvent } from "../events";

/** The session row, as routes may name it (they never import src/db). */
export type { Session };

export function listSessions(deps: Deps, userId: string): Promise<Session[]> {
  return listLiveSessions(deps.db, userId, new Date(deps.clock.now()));
}

/**
 * Ends one of the user's sessions: 404 for someone else's, an unknown one, or one already ended;
 * 401 when the caller's own session ended while the request was in flight.
 */
export async function endSession(deps: Deps, caller: Caller, sessionId: string): Promise<void> {
  const now = new Date(deps.clock.now());
  if (await revokeSessionOfUser(deps.db, caller.userId, sessionId, caller.sessionId, now)) {
    emitSecurityEvent({ event: "session.ended", user_id: caller.userId, session_id: sessionId, by: "user", count: 1 });
    return;
  }
  if (!(await isSessionLive(deps, caller))) throw invalidToken(INVALID_ACCESS_TOKEN);
  throw notFound(SESSION_NOT_FOUND);
}

/** "Log out everywhere": ends every session of the user; 401 if the caller's own had ended. */
export async function endAllSessions(deps: Deps, caller: Caller): Promise<void> {
  const ended = await revokeAllSessionsOfUser(deps.db, caller.userId, caller.sessionId, new Date(deps.clock.now()));
  if (ended === 0) throw invalidToken(INVALID_ACCESS_TOKEN);
  emitSecurityEvent({
    event: "session.ended",
    user_id: caller.userId,
    session_id: null,
    by: "log_out_everywhere",
    count: ended,
  });
}
