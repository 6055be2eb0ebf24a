// Login: checks credentials within its budgets and opens a session with an access token and a
// refresh token. Never sees Context, Request or Response.

import { randomUuid, sha256Hex } from "../crypto/bytes";
import { DUMMY_PASSWORD_HASH, verifyPassword } from "../crypto/password";
import { rememberNetworkStatement, selectUserForLogin } from "../db/known-networks";
import {
  attemptKey,
  clearAttemptsStatement,
  releaseAttemptsStatement,
  reserveAttemptsStatement,
} from "../db/login-attempts";
import type { User } from "../db/schema";
import { endLeastRecentlyUsedSessionsStatement, openSessionStatements, sessionWritten } from "../db/sessions";
import type { Deps } from "../deps";
import {
  EMAIL_NOT_VERIFIED,
  forbidden,
  INCORRECT_CREDENTIALS,
  TOO_MANY_LOGINS,
  tooManyRequests,
  unauthorized,
} from "../errors";
import { emitSecurityEvent, emitThrottledSecurityEvent } from "../events";
import { isLoopback, knownNetworkKeyOf, networkKeyOf } from "../net/network";
import { type DeviceClaim, deviceCookieFor, isDeviceOf, parseDeviceCookie } from "./device";
import { type Budget, type ClientMeta, networkBudgets, retryAfter, windowMsOf } from "./limits";
import { issueAccessToken, newOpaqueToken, requireKeyRing } from "./tokens";

const MAX_USER_AGENT_LENGTH = 256;

export interface Credentials {
  /** Already normalized (see normalizeEmail). */
  email: string;
  password: string;
}

export interface LoginMeta extends ClientMeta {
  userAgent: string | null;
  /** The device cookie the request carried, as it came (see auth/device.ts). */
  deviceCookie: string | null;
}

export interface LoginResult {
  user: User;
  sessionId: string;
  accessToken: string;
  refreshToken: string;
  /** When the session (and so the refresh token) ends at the latest. */
  expiresAt: Date;
  /** The device cookie to set: this browser is now known to the account (the same device id if it was). */
  deviceCookie: string;
}

/** The budgets one login attempt spends, by what each protects. */
interface LoginBudgets {
  /** Every attempt per network (LOGIN_MAX_ATTEMPTS_PER_IP): PBKDF2 is costly, success or not. */
  attempts: Budget[];
  /** Failures per network (LOGIN_MAX_FAILURES_PER_IP): one network spraying many accounts. */
  networkFailures: Budget[];
  /** Failures per (email, network) (LOGIN_MAX_FAILURES_PER_EMAIL): one network guessing one account. */
  pairFailures: Budget;
  /** Failures per email from networks it has not logged in from (LOGIN_MAX_FAILURES_PER_ACCOUNT). */
  accountFailures: Budget;
  /** Failures through the device cookie the request carried (LOGIN_MAX_FAILURES_PER_DEVICE). */
  deviceFailures: Budget[];
}

function loginBudgets(
  deps: Deps,
  emailDigest: string,
  ip: string | null,
  network: string,
  device: DeviceClaim | null,
): LoginBudgets {
  const { config } = deps;
  return {
    attempts: networkBudgets("login", ip, config.loginMaxAttemptsPerIp),
    networkFailures: networkBudgets("ip", ip, config.loginMaxFailuresPerIp),
    pairFailures: { key: attemptKey("email", `${emailDigest}:${network}`), limit: config.loginMaxFailuresPerEmail },
    accountFailures: { key: attemptKey("account", emailDigest), limit: config.loginMaxFailuresPerAccount },
    deviceFailures: device
      ? [{ key: attemptKey("device", device.deviceId), limit: config.loginMaxFailuresPerDevice }]
      : [],
  };
}

/**
 * Checks credentials and opens a session with an access token and a refresh token.
 * - Budgets: the attempt is counted against every budget before any hashing, in the same round
 *   trip as the user lookup; past one the answer is 429 without running the hash, the same for
 *   known and unknown emails. A success clears its (email, network) failures and gives back its
 *   failure counts; the attempt budget keeps it (every login costs a hash).
 * - No lockout by strangers: the hard per-email block is per (email, network), and a network the
 *   user logged in from within LOGIN_KNOWN_NETWORK_SECONDS (IPv6 by its /56) is exempt from the
 *   account-wide budget that binds every other network, as is a browser carrying a valid device
 *   cookie of the user (auth/device.ts; it has its own small budget). So is loopback (local
 *   development: one machine, not a distributed guesser; Cloudflare never reports it).
 * - Enumeration: an unknown email costs one hash too (against DUMMY_PASSWORD_HASH) and gets the
 *   same answer as a wrong password.
 * - Sessions per user are capped: the session that opens ends the least recently used ones past
 *   MAX_SESSIONS_PER_USER, in the same batch.
 */
export async function login(deps: Deps, input: Credentials, meta: LoginMeta): Promise<LoginResult> {
  const { config, clock, db } = deps;
  const keys = await requireKeyRing(config);
  const nowMs = clock.now();
  const now = new Date(nowMs);
  // Every counter a login spends (email, account, ip, login, device) shares the login window.
  const windowMs = windowMsOf(config, "login");
  // Keyed on a digest so the table holds no email addresses of strangers.
  const emailDigest = await sha256Hex(input.email);
  const network = (meta.ip && networkKeyOf(meta.ip)) || null;
  const knownNetwork = (meta.ip && knownNetworkKeyOf(meta.ip)) || null;
  // Read by shape only here; whether it is the user's is known after the lookup.
  const device = parseDeviceCookie(meta.deviceCookie);
  const budgets = loginBudgets(deps, emailDigest, meta.ip, network ?? "unknown", device);
  const { attempts, networkFailures, pairFailures, accountFailures, deviceFailures } = budgets;
  const allKeys = [
    pairFailures.key,
    accountFailures.key,
    ...[...attempts, ...networkFailures, ...deviceFailures].map((b) => b.key),
  ] as const;

  const knownSince = new Date(nowMs - config.loginKnownNetworkSeconds * 1000);
  const [counts, [found]] = await db.batch([
    reserveAttemptsStatement(db, allKeys, now, windowMs),
    selectUserForLogin(db, input.email, knownNetwork, knownSince),
  ]);
  const knownDevice = device !== null && found !== undefined && (await isDeviceOf(keys, device, found.user));
  const over = (list: Budget[]) => retryAfter(list, counts, windowMs, nowMs);
  const spared = knownDevice || found?.fromKnownNetwork || (meta.ip && isLoopback(meta.ip));
  const limits = [
    ["ip_attempts", over(attempts)],
    ["ip", over(networkFailures)],
    ["email", over([pairFailures])],
    ["account", spared ? 0 : over([accountFailures])],
    ["device", knownDevice ? over(deviceFailures) : 0],
  ] as const;
  const [limit, wait] = limits.reduce((worst, next) => (next[1] > worst[1] ? next : worst));
  if (wait > 0) {
    emitThrottledSecurityEvent({ event: "login.rate_limited", limit, retry_after: wait, ip: meta.ip }, nowMs);
    throw tooManyRequests(TOO_MANY_LOGINS, wait);
  }

  const user = found?.user;
  const passwordOk = await verifyPassword(input.password, user?.hashedPassword ?? DUMMY_PASSWORD_HASH);
  if (!user || !passwordOk) {
    const reason = user ? "wrong_password" : "unknown_email";
    emitSecurityEvent({ event: "login.failed", user_id: user?.id ?? null, reason, ip: meta.ip });
    throw unauthorized(INCORRECT_CREDENTIALS);
  }
  if (config.requireVerifiedEmail && !user.emailVerified) {
    // Said only to whoever knows the password. Not a failed guess: its failure counts go back.
    await releaseAttemptsStatement(db, [
      pairFailures.key,
      accountFailures.key,
      ...[...networkFailures, ...deviceFailures].map((b) => b.key),
    ]);
    emitSecurityEvent({ event: "login.failed", user_id: user.id, reason: "email_unverified", ip: meta.ip });
    throw forbidden(EMAIL_NOT_VERIFIED);
  }

  const sessionId = randomUuid(deps.random);
  const refreshToken = newOpaqueToken(deps);
  const [accessToken, refreshTokenHash] = await Promise.all([
    issueAccessToken(deps, keys, user.id, sessionId, nowMs),
    sha256Hex(refreshToken),
  ]);
  // Everything after the session's own statements lands only if the session was written: the
  // hash just verified was still the user's (a password change or deletion meanwhile leaves nothing).
  const written = sessionWritten(db, sessionId);
  const expiresAt = new Date(nowMs + config.refreshTokenTtlSeconds * 1000);
  const [opened, , ended] = await db.batch([
    ...openSessionStatements(db, {
      id: sessionId,
      userId: user.id,
      now,
      expiresAt,
      userAgent: meta.userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null,
      refreshTokenHash,
      verifiedPasswordHash: user.hashedPassword,
      requireVerifiedEmail: config.requireVerifiedEmail,
    }),
    endLeastRecentlyUsedSessionsStatement(db, user.id, config.maxSessionsPerUser, now, written),
    clearAttemptsStatement(db, [pairFailures.key], written),
    releaseAttemptsStatement(
      db,
      [accountFailures.key, ...[...networkFailures, ...deviceFailures].map((b) => b.key)],
      written,
    ),
    ...(knownNetwork ? [rememberNetworkStatement(db, sessionId, knownNetwork, now)] : []),
  ]);
  if (opened.length === 0) {
    emitSecurityEvent({ event: "login.failed", user_id: user.id, reason: "credentials_changed", ip: meta.ip });
    throw unauthorized(INCORRECT_CREDENTIALS);
  }
  emitSecurityEvent({ event: "login.succeeded", user_id: user.id, session_id: sessionId, ip: meta.ip });
  if (ended.length > 0) {
    emitSecurityEvent({
      event: "session.ended",
      user_id: user.id,
      session_id: ended.length === 1 ? ended[0].id : null,
      by: "session_limit",
      count: ended.length,
    });
  }
  // This browser is now one of the user's devices (the same one, if it was), under the password
  // just verified: a later password change voids the cookie.
  const deviceCookie = await deviceCookieFor(deps, keys.current, user, knownDevice ? device.deviceId : undefined);
  return { user, sessionId, accessToken, refreshToken, expiresAt, deviceCookie };
}
