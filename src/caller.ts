// Who is calling: a user and the session (login) they authenticated with. The one name for the pair,
// from a verified access token (crypto/jwt.ts) down to the statements that carry the session check.

export interface Caller {
  userId: string;
  /** The session the caller authenticated with; each write on their behalf carries its liveness check. */
  sessionId: string;
}
