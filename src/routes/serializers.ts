// Explicit response shapes (the Chirpy contract's snake_case): a hash never leaks by accident.

import type { Chirp } from "../chirps/service";
import type { Session } from "../sessions/service";
import type { User } from "../users/service";

export const toUserJson = (user: User) => ({
  id: user.id,
  created_at: user.createdAt.toISOString(),
  updated_at: user.updatedAt.toISOString(),
  email: user.email,
  is_chirpy_red: user.isChirpyRed,
});

export const toChirpJson = (chirp: Chirp) => ({
  id: chirp.id,
  created_at: chirp.createdAt.toISOString(),
  updated_at: chirp.updatedAt.toISOString(),
  body: chirp.body,
  user_id: chirp.userId,
});

/** A session as its owner sees it: never the token or its hash. */
export const toSessionJson = (session: Session, currentSessionId: string) => ({
  id: session.id,
  created_at: session.createdAt.toISOString(),
  last_used_at: session.lastUsedAt.toISOString(),
  expires_at: session.expiresAt.toISOString(),
  user_agent: session.userAgent,
  current: session.id === currentSessionId,
});
