// Login: checks credentials within its budgets and opens a session with an access token and a
// refresh token. Never sees Context, Request or Response.

import { eq, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { randomUuid, sha256Hex } from "../crypto/bytes";
import type { KeyRing } from "../crypto/keys";
import { DUMMY_PASSWORD_HASH, verifyPassword } from "../crypto/password";
import { rememberNetworkStatement, selectUserForLogin } from "../db/known-networks";
import { clearAttemptsStatement, releaseAttemptsStatement } from "../db/login-attempts";
import { saveMfaToken } from "../db/mfa";
import { type User, users } from "../db/schema";
import { endLeastRecentlyUsedSessionsStatement, openSessionStatements, sessionWritten } from "../db/sessions";
import type { Deps } from "../deps";
import { EMAIL_NOT_VERIFIED, forbidden, INCORRECT_CREDENTIALS, unauthorized } from "../errors";
import { emitSecurityEvent } from "../events";
import { isLoopback, knownNetworkKeyOf, networkKeyOf } from "../net/network";
import { type Charge, type ClientMeta, charge, charges, enforce, loginPairSubject, reserveStatement } from "./budgets";
import { type DeviceClaim, deviceCookieFor, isDeviceOf, parseDeviceCookie } from "./device";
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

/** What the second step of a login accepts. */
const MFA_METHODS = ["totp", "recovery_code"] as const;
/** How long the second step may take after the password. */
const MFA_TOKEN_TTL_MS = 5 * 60 * 1000;

/** A right password of an account with TOTP on: no session yet, a token for POST /api/login/mfa. */
export interface SecondStepRequired {
  mfaRequired: { mfaToken: string; methods: typeof MFA_METHODS };
}

/** The budgets one login attempt spends, by what each protects (rows of BUDGETS). */
interface LoginCharges {
  /** Every attempt per network: PBKDF2 is costly, success or not. */
  attempts: Charge[];
  /** Failures per network: one network spraying many accounts. */
  networkFailures: Charge[];
  /** Failures per (email, network): one network guessing one account. */
  pairFailures: Charge;
  /** Failures per email from networks it has not logged in from. */
  accountFailures: Charge;
  /** Failures through the device cookie the request carried. */
  deviceFailures: Charge[];
}

function loginCharges(
  deps: Deps,
  emailDigest: string,
  ip: string | null,
  network: string,
  device: DeviceClaim | null,
): LoginCharges {
  const { config } = deps;
  return {
    attempts: charges(config, "login_attempts", ip),
    networkFailures: charges(config, "login_network_failures", ip),
    pairFailures: charge(config, "login_pair_failures", loginPairSubject(emailDigest, network)),
    accountFailures: charge(config, "login_account_failures", emailDigest),
    deviceFailures: device ? charges(config, "login_device_failures", device.deviceId) : [],
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
export async function login(
  deps: Deps,
  input: Credentials,
  meta: LoginMeta,
): Promise<LoginResult | SecondStepRequired> {
  const { config, clock, db } = deps;
  const keys = await requireKeyRing(config);
  const nowMs = clock.now();
  const now = new Date(nowMs);
  // Keyed on a digest so the table holds no email addresses of strangers.
  const emailDigest = await sha256Hex(input.email);
  const network = (meta.ip && networkKeyOf(meta.ip)) || null;
  const knownNetwork = (meta.ip && knownNetworkKeyOf(meta.ip)) || null;
  // Read by shape only here; whether it is the user's is known after the lookup.
  const device = parseDeviceCookie(meta.deviceCookie);
  const spent = loginCharges(deps, emailDigest, meta.ip, network ?? "unknown", device);
  const { attempts, networkFailures, pairFailures, accountFailures, deviceFailures } = spent;
  // The failure counters a success (or an unverified address) gives back.
  const failures = [accountFailures, ...networkFailures, ...deviceFailures].map((c) => c.key);

  const knownSince = new Date(nowMs - config.loginKnownNetworkSeconds * 1000);
  const reservation = reserveStatement(
    db,
    [...attempts, ...networkFailures, pairFailures, accountFailures, ...deviceFailures],
    now,
  );
  const [counts, [found]] = await db.batch([
    // Never null: the (email, network) and account counters are always spent.
    reservation as NonNullable<typeof reservation>,
    selectUserForLogin(db, input.email, knownNetwork, knownSince),
  ]);
  const knownDevice = device !== null && found !== undefined && (await isDeviceOf(keys, device, found.user));
  const spared = knownDevice || found?.fromKnownNetwork || (meta.ip && isLoopback(meta.ip));
  // The account-wide budget spares the user's networks and browsers; the device budget binds only
  // the user's own device cookie.
  const binding = [
    ...attempts,
    ...networkFailures,
    pairFailures,
    ...(spared ? [] : [accountFailures]),
    ...(knownDevice ? deviceFailures : []),
  ];
  enforce(binding, counts, nowMs, { ip: meta.ip });

  const user = found?.user;
  const passwordOk = await verifyPassword(input.password, user?.hashedPassword ?? DUMMY_PASSWORD_HASH);
  if (!user || !passwordOk) {
    const reason = user ? "wrong_password" : "unknown_email";
    emitSecurityEvent({ event: "login.failed", user_id: user?.id ?? null, reason, ip: meta.ip });
    throw unauthorized(INCORRECT_CREDENTIALS);
  }
  if (config.requireVerifiedEmail && !user.emailVerified) {
    // Said only to whoever knows the password. Not a failed guess: its failure counts go back.
    await releaseAttemptsStatement(db, [pairFailures.key, ...failures]);
    emitSecurityEvent({ event: "login.failed", user_id: user.id, reason: "email_unverified", ip: meta.ip });
    throw forbidden(EMAIL_NOT_VERIFIED);
  }

  if (user.totpSecret !== null) {
    // The password was right: its failure counts go back as for a login, and the session waits
    // for the second step (POST /api/login/mfa), under an mfa_token bound to this password's hash.
    const mfaToken = newOpaqueToken(deps);
    await db.batch([
      saveMfaToken(db, {
        hash: await sha256Hex(mfaToken),
        userId: user.id,
        passwordHash: user.hashedPassword,
        expiresAt: new Date(nowMs + MFA_TOKEN_TTL_MS),
      }),
      clearAttemptsStatement(db, [pairFailures.key], sql`1`),
      releaseAttemptsStatement(db, failures),
    ]);
    return { mfaRequired: { mfaToken, methods: MFA_METHODS } };
  }

  const opened = await openLoginSession(deps, keys, {
    user,
    amr: "pwd",
    // Only while the hash just verified is still the user's: a password change or deletion meanwhile leaves nothing.
    holds: eq(users.hashedPassword, user.hashedPassword),
    clear: [pairFailures.key],
    release: failures,
    knownNetwork,
    deviceId: knownDevice ? device.deviceId : undefined,
    meta,
    nowMs,
  });
  if (!opened) {
    emitSecurityEvent({ event: "login.failed", user_id: user.id, reason: "credentials_changed", ip: meta.ip });
    throw unauthorized(INCORRECT_CREDENTIALS);
  }
  return opened;
}

/** A verified login: whose, how it proved it, and what lands with its session. */
export interface SessionOpening {
  user: User;
  /** How the login proved who it was (RFC 8176, space-separated): "pwd", "hwk" (a passkey), "pwd otp mfa"… */
  amr: string;
  /** A condition on the user's row that must still hold when the session is written (the credential verified). */
  holds: SQL;
  /** Counters forgotten, and counters given back one attempt, when the session is written. */
  clear: string[];
  release: string[];
  knownNetwork: string | null;
  /** The device id of the user's own device cookie the request carried, kept in the new cookie. */
  deviceId?: string;
  /** Statements that land with the session, only if it was written (e.g. a passkey's counter). */
  alongside?: (written: SQL) => BatchItem<"sqlite">[];
  meta: LoginMeta;
  nowMs: number;
}

/**
 * Opens the session of a verified login, in one batch: the session and its first refresh token
 * (only while `holds` is still true of the user), the session cap, the counters, the known network
 * and anything `alongside`. Null when the session was not written (the credential changed meanwhile).
 */
export async function openLoginSession(
  deps: Deps,
  keys: KeyRing,
  opening: SessionOpening,
): Promise<LoginResult | null> {
  const { config, db } = deps;
  const { user, meta, nowMs } = opening;
  const now = new Date(nowMs);
  const sessionId = randomUuid(deps.random);
  const refreshToken = newOpaqueToken(deps);
  const [accessToken, refreshTokenHash] = await Promise.all([
    issueAccessToken(deps, keys, { userId: user.id, sessionId, amr: opening.amr }, nowMs),
    sha256Hex(refreshToken),
  ]);
  const written = sessionWritten(db, sessionId);
  const expiresAt = new Date(nowMs + config.refreshTokenTtlSeconds * 1000);
  const [created, , ended] = await db.batch([
    ...openSessionStatements(db, {
      id: sessionId,
      userId: user.id,
      now,
      expiresAt,
      userAgent: meta.userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null,
      refreshTokenHash,
      amr: opening.amr,
      holds: opening.holds,
      requireVerifiedEmail: config.requireVerifiedEmail,
    }),
    endLeastRecentlyUsedSessionsStatement(db, user.id, config.maxSessionsPerUser, now, written),
    ...(opening.clear.length > 0 ? [clearAttemptsStatement(db, opening.clear, written)] : []),
    ...(opening.release.length > 0 ? [releaseAttemptsStatement(db, opening.release, written)] : []),
    ...(opening.knownNetwork ? [rememberNetworkStatement(db, sessionId, opening.knownNetwork, now)] : []),
    ...(opening.alongside?.(written) ?? []),
  ]);
  if (created.length === 0) return null;
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
  // This browser is now one of the user's devices (the same one, if it was), under the password it
  // has now: a later password change voids the cookie.
  const deviceCookie = await deviceCookieFor(deps, keys.current, user, opening.deviceId);
  return { user, sessionId, accessToken, refreshToken, expiresAt, deviceCookie };
}
