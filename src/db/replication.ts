// D1 read replication (the Sessions API): where a request's D1 session starts. Every request starts
// on the primary ("first-primary") unless its route declares it may read from a replica
// (middleware/context.ts: mayReadFromReplica): a revoke or a password change must never be missed
// for a replica's lag, so only public reads opt in, at least as fresh as the bookmark the client
// sends back (read-your-writes).

export const BOOKMARK_HEADER = "x-d1-bookmark";

// D1 bookmarks are hex groups joined by dashes; anything else is refused before it reaches D1.
const BOOKMARK_PATTERN = /^[0-9a-f]{1,64}(-[0-9a-f]{1,64}){0,7}$/;

export type SessionStart = D1SessionConstraint | D1SessionBookmark;

/** A replica read's start: the client's bookmark when it sent a well-formed one, else any replica. */
export function replicaReadStart(bookmark: string | undefined): SessionStart {
  return bookmark !== undefined && BOOKMARK_PATTERN.test(bookmark) ? bookmark : "first-unconstrained";
}
