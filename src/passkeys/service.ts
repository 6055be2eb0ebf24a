// Passkeys: registering WebAuthn credentials once logged in, listing and removing them, and signing
// in with one instead of a password. Challenges are 32 random bytes, stored hashed, single use,
// five minutes; the ceremonies are checked in webauthn.ts. Never sees Context, Request or Response.

import type { Authenticated } from "../auth/access";
import { type ClientMeta, charges, enforce, reserveStatement } from "../auth/budgets";
import { isDeviceOf, parseDeviceCookie } from "../auth/device";
import { type LoginMeta, type LoginResult, openLoginSession } from "../auth/login";
import { requireKeyRing } from "../auth/tokens";
import { randomUuid, sha256Hex, toBase64Url } from "../crypto/bytes";
import {
  consumeChallengeStatement,
  listPasskeys,
  type PasskeyListing,
  recordPasskeyUseStatement,
  registerPasskey,
  removePasskey,
  saveChallengeStatement,
  selectPasskeyCredentials,
  selectPasskeyForLogin,
  stillHasPasskey,
  userHandleStatement,
} from "../db/passkeys";
import type { Deps } from "../deps";
import {
  badRequest,
  conflict,
  EMAIL_NOT_VERIFIED,
  forbidden,
  INVALID_ACCESS_TOKEN,
  INVALID_PASSKEY,
  invalidToken,
  MisconfigurationError,
  notFound,
  PASSKEY_EXISTS,
  PASSKEY_LOGIN_FAILED,
  PASSKEY_NOT_FOUND,
  unauthorized,
} from "../errors";
import { emitSecurityEvent } from "../events";
import { passkeyAddedNotice } from "../mail/messages";
import {
  ALGORITHMS,
  CeremonyRefused,
  challengeOfAssertion,
  checkAssertion,
  checkRegistration,
  type RelyingParty,
} from "./webauthn";

export type { PasskeyListing, RelyingParty };

const CHALLENGE_BYTES = 32;
const USER_HANDLE_BYTES = 16;
/** How long a ceremony may take, from its options to its answer. */
const CHALLENGE_TTL_MS = 5 * 60 * 1000;
const RP_NAME = "Chirpy";
/** A passkey's name when the user gives none. */
const DEFAULT_NAME = "Passkey";

/**
 * The relying party of a request: WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS; in development, where they
 * are empty, the request's own host and origin (so `npm start` on http://localhost:8787 works).
 */
export function relyingPartyOf(deps: Deps, requestUrl: string): RelyingParty {
  const { config } = deps;
  const url = new URL(requestUrl);
  const development = config.platform === "dev";
  if (!development && (!config.webauthnRpId || config.webauthnOrigins.length === 0)) {
    throw new MisconfigurationError(
      "WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS must be set outside development: passkeys are bound to them",
    );
  }
  return {
    id: config.webauthnRpId || url.hostname,
    origins: config.webauthnOrigins.length > 0 ? config.webauthnOrigins : [url.origin],
  };
}

/** A fresh challenge: its bytes (for the browser, base64url) and the hash the store keeps. */
async function newChallenge(deps: Deps): Promise<{ encoded: string; hash: string }> {
  const bytes = deps.random(CHALLENGE_BYTES);
  return { encoded: toBase64Url(bytes), hash: await sha256Hex(bytes.toHex()) };
}

/** POST /api/passkeys/registration-options: creation options with a challenge for this user only. */
export async function registrationOptions(deps: Deps, caller: Authenticated, rp: RelyingParty) {
  const { db } = deps;
  const { user } = caller;
  const nowMs = deps.clock.now();
  const challenge = await newChallenge(deps);
  // The user's handle is random, made once: an authenticator never holds the user id or the email.
  const [[handleRow], , existing] = await db.batch([
    userHandleStatement(db, user.id, toBase64Url(deps.random(USER_HANDLE_BYTES))),
    saveChallengeStatement(db, {
      hash: challenge.hash,
      purpose: "registration",
      userId: user.id,
      expiresAt: new Date(nowMs + CHALLENGE_TTL_MS),
    }),
    selectPasskeyCredentials(db, user.id),
  ]);
  const handle = handleRow?.handle;
  if (!handle) throw invalidToken(INVALID_ACCESS_TOKEN);
  return {
    challenge: challenge.encoded,
    rp: { id: rp.id, name: RP_NAME },
    user: { id: handle, name: user.email, displayName: user.email },
    pubKeyCredParams: ALGORITHMS.map((alg) => ({ type: "public-key" as const, alg })),
    timeout: CHALLENGE_TTL_MS,
    attestation: "none" as const,
    excludeCredentials: existing.map((row) => ({ type: "public-key" as const, id: row.credentialId })),
    authenticatorSelection: {
      residentKey: "required" as const,
      requireResidentKey: true,
      userVerification: "preferred" as const,
    },
  };
}

export interface RegistrationInput {
  credential: { id: string; response: { clientDataJSON: string; attestationObject: string } };
  name?: string;
}

/**
 * POST /api/passkeys: checks the registration against this user's live challenge (consumed by
 * the same batch that stores the passkey) and tells the account's address. Any fault → 400 and
 * nothing stored.
 */
export async function addPasskey(
  deps: Deps,
  caller: Authenticated,
  input: RegistrationInput,
  rp: RelyingParty,
): Promise<PasskeyListing> {
  const { user, sessionId } = caller;
  let checked: Awaited<ReturnType<typeof checkRegistration>>;
  try {
    checked = await checkRegistration(input.credential, rp);
  } catch (error) {
    if (error instanceof CeremonyRefused) throw badRequest(INVALID_PASSKEY);
    throw error;
  }
  const name = input.name?.trim() || DEFAULT_NAME;
  const outcome = await registerPasskey(
    deps.db,
    {
      id: randomUuid(deps.random),
      userId: user.id,
      credentialId: checked.credentialId,
      publicKey: checked.publicKey,
      algorithm: checked.algorithm,
      signCount: checked.signCount,
      name,
      createdAt: new Date(deps.clock.now()),
    },
    { sessionId, challengeHash: await sha256Hex(checked.challenge) },
  );
  if (!outcome.ok) {
    if (outcome.reason === "exists") throw conflict(PASSKEY_EXISTS);
    if (outcome.reason === "session_ended") throw invalidToken(INVALID_ACCESS_TOKEN);
    throw badRequest(INVALID_PASSKEY);
  }
  emitSecurityEvent({ event: "passkey.registered", user_id: user.id, passkey_id: outcome.passkey.id });
  deps.defer("passkey_added_notice", () => deps.mail.send(passkeyAddedNotice(user.email, name)));
  return outcome.passkey;
}

/** GET /api/passkeys. */
export const passkeysOf = (deps: Deps, caller: Authenticated) => listPasskeys(deps.db, caller.user.id);

/** DELETE /api/passkeys/{id}: only the caller's own (another's is a 404, as one that does not exist). */
export async function deletePasskey(deps: Deps, caller: Authenticated, passkeyId: string): Promise<void> {
  const removed = await removePasskey(
    deps.db,
    { userId: caller.user.id, sessionId: caller.sessionId },
    passkeyId,
    new Date(deps.clock.now()),
  );
  if (!removed) throw notFound(PASSKEY_NOT_FOUND);
  emitSecurityEvent({ event: "passkey.removed", user_id: caller.user.id, passkey_id: passkeyId });
}

/**
 * POST /api/passkeys/authentication-options: request options for a discoverable credential (no
 * allowCredentials: the authenticator offers the user's passkeys for this site), with a fresh
 * challenge, within the network's passkey_challenges budget (anyone may ask).
 */
export async function authenticationOptions(deps: Deps, rp: RelyingParty, meta: ClientMeta) {
  const { db, config } = deps;
  const nowMs = deps.clock.now();
  const challenge = await newChallenge(deps);
  const spent = charges(config, "passkey_challenges", meta.ip);
  const save = saveChallengeStatement(db, {
    hash: challenge.hash,
    purpose: "authentication",
    userId: null,
    expiresAt: new Date(nowMs + CHALLENGE_TTL_MS),
  });
  const reservation = reserveStatement(db, spent, new Date(nowMs));
  const [counts] = reservation ? await db.batch([reservation, save]) : [[], await save];
  enforce(spent, counts, nowMs, { ip: meta.ip });
  return {
    challenge: challenge.encoded,
    rpId: rp.id,
    timeout: CHALLENGE_TTL_MS,
    userVerification: "preferred" as const,
    allowCredentials: [] as never[],
  };
}

export interface AssertionInput {
  credential: {
    id: string;
    response: { clientDataJSON: string; authenticatorData: string; signature: string; userHandle?: string | null };
  };
}

/**
 * POST /api/login/passkey: a session for the passkey's user, as a password login opens one (its
 * amr is "hwk"). One round trip spends the login budgets of the network, consumes the challenge and
 * finds the passkey; the signature is then checked by Web Crypto; the session is written only while
 * the passkey is still the user's at the counter read, and its new counter lands with it. Every
 * refusal is the same 401.
 */
export async function loginWithPasskey(
  deps: Deps,
  input: AssertionInput,
  rp: RelyingParty,
  meta: LoginMeta,
): Promise<LoginResult> {
  const { config, db } = deps;
  const keys = await requireKeyRing(config);
  const nowMs = deps.clock.now();
  const now = new Date(nowMs);
  const refused = (
    reason: "passkey_unknown" | "passkey_challenge" | "passkey_invalid" | "passkey_counter",
    userId: string | null = null,
  ) => {
    emitSecurityEvent({ event: "login.failed", user_id: userId, reason, ip: meta.ip });
    return unauthorized(PASSKEY_LOGIN_FAILED);
  };
  let challenge: string;
  try {
    challenge = challengeOfAssertion(input.credential, rp);
  } catch (error) {
    if (error instanceof CeremonyRefused) throw refused("passkey_invalid");
    throw error;
  }
  const attempts = charges(config, "login_attempts", meta.ip);
  const failures = charges(config, "login_network_failures", meta.ip);
  const reservation = reserveStatement(db, [...attempts, ...failures], now);
  const lookups = [
    consumeChallengeStatement(db, await sha256Hex(challenge), "authentication", now),
    selectPasskeyForLogin(db, input.credential.id),
  ] as const;
  const [counts, consumed, [found]] = reservation
    ? await db.batch([reservation, ...lookups])
    : [[], ...(await db.batch(lookups))];
  enforce([...attempts, ...failures], counts, nowMs, { ip: meta.ip });
  if (consumed.length === 0) throw refused("passkey_challenge");
  if (!found) throw refused("passkey_unknown");
  const { passkeyId, passkeyPublicKey, passkeyAlgorithm, passkeySignCount, ...user } = found;
  const passkey = {
    id: passkeyId,
    publicKey: passkeyPublicKey,
    algorithm: passkeyAlgorithm,
    signCount: passkeySignCount,
  };

  let assertion: Awaited<ReturnType<typeof checkAssertion>>;
  try {
    assertion = await checkAssertion(input.credential, passkey, rp);
  } catch (error) {
    if (error instanceof CeremonyRefused) throw refused("passkey_invalid", user.id);
    throw error;
  }
  const handle = input.credential.response.userHandle;
  if (handle && handle !== user.webauthnUserHandle) throw refused("passkey_invalid", user.id);
  // Authenticators that count must count up; 0 then 0 is one that does not count (most passkeys).
  if ((assertion.signCount !== 0 || passkey.signCount !== 0) && assertion.signCount <= passkey.signCount) {
    emitSecurityEvent({ event: "passkey.counter_regressed", user_id: user.id, passkey_id: passkey.id, ip: meta.ip });
    throw refused("passkey_counter", user.id);
  }
  if (config.requireVerifiedEmail && !user.emailVerified) throw forbidden(EMAIL_NOT_VERIFIED);

  const device = parseDeviceCookie(meta.deviceCookie);
  const knownDevice = device !== null && (await isDeviceOf(keys, device, user));
  const opened = await openLoginSession(deps, keys, {
    user,
    amr: "hwk",
    holds: stillHasPasskey(db, passkey),
    clear: [],
    release: failures.map((c) => c.key),
    knownNetwork: null,
    deviceId: knownDevice ? device.deviceId : undefined,
    alongside: (written) => [recordPasskeyUseStatement(db, passkey, assertion.signCount, now, written)],
    meta,
    nowMs,
  });
  // Removed, or used by a concurrent sign-in that moved its counter, while this one was checked.
  if (!opened) throw refused("passkey_counter", user.id);
  return opened;
}
