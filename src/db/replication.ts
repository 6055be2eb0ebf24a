// D1 read replication (the Sessions API): which D1 session a request runs in, decided here and
// nowhere else. A replica may lag the primary, so anything that decides who someone is (tokens,
// sessions, credentials, the webhook, admin) starts on the primary: a revoke or a password change
// must never be missed for a replica's lag. Only public reads may be served by a replica, at least
// as fresh as the bookmark the client sends back (read-your-writes).

export const BOOKMARK_HEADER = "x-d1-bookmark";

const PUBLIC_READS = /^\/api\/chirps(\/[^/]+)?\/?$/;
// D1 bookmarks are hex groups joined by dashes; anything else is refused before it reaches D1.
const BOOKMARK_PATTERN = /^[0-9a-f]{1,64}(-[0-9a-f]{1,64}){0,7}$/;

export type SessionStart = D1SessionConstraint | D1SessionBookmark;

/**
 * The start of a request's D1 session: "first-primary", or for a public read the client's
 * bookmark (when it sent a well-formed one) else "first-unconstrained".
 */
export function sessionStartFor(method: string, path: string, bookmark: string | undefined): SessionStart {
  if (method !== "GET" || !PUBLIC_READS.test(path)) return "first-primary";
  return bookmark !== undefined && BOOKMARK_PATTERN.test(bookmark) ? bookmark : "first-unconstrained";
}
