// The account rules: sign-up under a per-network limit, and credential changes that carry the
// caller's session check. Never sees Context, Request or Response.

import type { Authenticated } from "../auth/access";
import { type ClientMeta, networkKey, overNetworkLimit } from "../auth/limits";
import type { Credentials } from "../auth/login";
import { hashPassword, verifyPassword } from "../crypto/password";
import { reserveAttemptStatement } from "../db/login-attempts";
import type { User } from "../db/schema";
import { insertUser, selectUserByEmail, updateUserCredentials } from "../db/users";
import type { Deps } from "../deps";
import {
  conflict,
  EMAIL_TAKEN,
  INVALID_ACCESS_TOKEN,
  invalidToken,
  TOO_MANY_SIGNUPS,
  tooManyRequests,
} from "../errors";
import { emitSecurityEvent } from "../ops/security-events";

/** The user row, as routes may name it (they never import src/db). */
export type { User };

/**
 * Signs a user up. Each sign-up is counted per client network (IPv6 by /64) before anything is
 * hashed, so the endpoint is no unlimited PBKDF2 oracle: past SIGNUP_MAX_PER_IP in the window the
 * answer is 429. A taken email is a 409 without hashing (the contract's 409 reveals it anyway).
 */
export async function createUser(deps: Deps, input: Credentials, meta: ClientMeta): Promise<User> {
  const { config, clock, db } = deps;
  const nowMs = clock.now();
  const now = new Date(nowMs);
  const windowMs = config.signupWindowSeconds * 1000;
  const [[attempts], [existing]] = await db.batch([
    reserveAttemptStatement(db, networkKey("signup", meta.ip), now, windowMs),
    selectUserByEmail(db, input.email),
  ]);
  const retryAfter = overNetworkLimit(meta, attempts, config.signupMaxPerIp, windowMs, nowMs);
  if (retryAfter > 0) {
    emitSecurityEvent({ event: "signup.rate_limited", retry_after: retryAfter, ip: meta.ip });
    throw tooManyRequests(TOO_MANY_SIGNUPS, retryAfter);
  }
  if (existing) throw conflict(EMAIL_TAKEN);

  const user = await insertUser(db, {
    id: crypto.randomUUID(),
    createdAt: now,
    updatedAt: now,
    email: input.email,
    hashedPassword: await hashPassword(input.password, deps.random),
  });
  if (!user) throw conflict(EMAIL_TAKEN);
  emitSecurityEvent({ event: "signup.succeeded", user_id: user.id, ip: meta.ip });
  return user;
}

/**
 * Sets a user's email and password. A new password ends every session of the user, their
 * access tokens included (ASVS 7.4.3); the same password with a new email ends none. The
 * update lands only while the caller's session is live: a session ended mid-request (log out
 * everywhere from another device) stops it with a 401.
 */
export async function updateCredentials(deps: Deps, caller: Authenticated, input: Credentials): Promise<User> {
  const { user, sessionId } = caller;
  const samePassword = await verifyPassword(input.password, user.hashedPassword);
  const hashedPassword = samePassword ? user.hashedPassword : await hashPassword(input.password, deps.random);
  const result = await updateUserCredentials(deps.db, {
    userId: user.id,
    sessionId,
    email: input.email,
    hashedPassword,
    passwordChanged: !samePassword,
    now: new Date(deps.clock.now()),
  });
  if (!result.ok) {
    switch (result.reason) {
      case "email_taken":
        throw conflict(EMAIL_TAKEN);
      case "session_ended":
        throw invalidToken(INVALID_ACCESS_TOKEN);
    }
  }
  emitSecurityEvent({
    event: "credentials.changed",
    user_id: user.id,
    session_id: sessionId,
    password_changed: !samePassword,
    email_changed: result.user.email !== user.email,
  });
  if (result.sessionsEnded > 0) {
    emitSecurityEvent({
      event: "session.ended",
      user_id: user.id,
      session_id: null,
      by: "password_change",
      count: result.sessionsEnded,
    });
  }
  return result.user;
}
