// Two-factor authentication: TOTP (RFC 6238) with single-use recovery codes. Enrolment (a new
// secret, confirmed by a code, ten recovery codes), turning it off, new codes, and the login's
// second step: a password login of a user with TOTP on answers an mfa_token instead of a session,
// and POST /api/login/mfa trades it and one code for the session. Never sees Context or Request.

import { and, eq, type SQL } from "drizzle-orm";
import type { Authenticated } from "../auth/access";
import { charge, enforce, reserve } from "../auth/budgets";
import { type LoginMeta, type LoginResult, openLoginSession } from "../auth/login";
import { OPAQUE_TOKEN_PATTERN, requireKeyRing } from "../auth/tokens";
import { requireMfaKeys } from "../config";
import { sha256Hex } from "../crypto/bytes";
import { verifyPassword } from "../crypto/password";
import { type BoxKeyRing, boxKeyRingFor, keyedDigest, open, seal } from "../crypto/secret-box";
import { matchingStep, toBase32 } from "../crypto/totp";
import { releaseAttemptsStatement } from "../db/login-attempts";
import {
  countMfaFailure,
  disableTotp,
  enableTotp,
  findMfaTokenUser,
  hasRecoveryCode,
  MAX_MFA_TOKEN_FAILURES,
  mfaTokenStillLive,
  replaceRecoveryCodes,
  resealStatement,
  savePendingSecretStatement,
  spendSecondStepStatements,
  stepIsNew,
} from "../db/mfa";
import type { User } from "../db/schema";
import { users } from "../db/schema";
import type { Deps } from "../deps";
import {
  badRequest,
  INCORRECT_CREDENTIALS,
  INVALID_ACCESS_TOKEN,
  INVALID_TOTP_CODE,
  invalidToken,
  MFA_FAILED,
  TOTP_NOT_ENABLED,
  TOTP_NOT_PENDING,
  unauthorized,
} from "../errors";
import { emitSecurityEvent } from "../events";
import { mfaDisabledNotice, mfaEnabledNotice } from "../mail/messages";

const SECRET_BYTES = 20;
const RECOVERY_CODES = 10;
const ISSUER = "Chirpy";
/** Recovery codes: 10 characters of an alphabet without look-alikes (50 bits), shown as xxxxx-xxxxx. */
const CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

const rings = new WeakMap<object, Promise<BoxKeyRing>>();
function boxKeys(deps: Deps): Promise<BoxKeyRing> {
  let ring = rings.get(deps.config);
  if (!ring) {
    const { current, previous } = requireMfaKeys(deps.config);
    ring = boxKeyRingFor(current, previous);
    rings.set(deps.config, ring);
  }
  return ring;
}

/** A recovery code as typed: lowercase, without spaces or dashes. */
const normalizeCode = (code: string) => code.toLowerCase().replace(/[\s-]/g, "");

/** The digests a recovery code may be stored under: one per key in the ring (a rotation keeps old codes working). */
async function digestsOf(ring: BoxKeyRing, code: string): Promise<string[]> {
  return Promise.all([...ring.byKid.values()].map((key) => keyedDigest(key, normalizeCode(code))));
}

function newRecoveryCodes(deps: Deps): string[] {
  return Array.from({ length: RECOVERY_CODES }, () => {
    const chars = [...deps.random(10)].map((byte) => CODE_ALPHABET[byte % CODE_ALPHABET.length]).join("");
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

const caller = (who: Authenticated) => ({ userId: who.user.id, sessionId: who.sessionId });

/** The TOTP secret of a sealed box (and whether it is sealed under a former key), or null. */
async function openSecret(ring: BoxKeyRing, sealed: string | null) {
  if (!sealed) return null;
  return open(ring, sealed);
}

// ---- enrolment ----------------------------------------------------------------------------------

/**
 * POST /api/mfa/totp: after the password again (a wrong one counts toward the account's failure
 * budget), a new secret to enrol, pending until a code from it is confirmed. Another call replaces it.
 */
export async function startTotpEnrolment(deps: Deps, who: Authenticated, password: string) {
  const { config, db } = deps;
  const nowMs = deps.clock.now();
  const spent = [charge(config, "login_account_failures", await sha256Hex(who.user.email))];
  enforce(spent, await reserve(db, spent, new Date(nowMs)), nowMs, { ip: null, user_id: who.user.id });
  if (!(await verifyPassword(password, who.user.hashedPassword))) throw unauthorized(INCORRECT_CREDENTIALS);
  const secret = deps.random(SECRET_BYTES);
  const ring = await boxKeys(deps);
  const [saved] = await db.batch([
    savePendingSecretStatement(db, caller(who), await seal(ring, secret), new Date(nowMs)),
    // Not a failure: the attempt goes back.
    releaseAttemptsStatement(
      db,
      spent.map((c) => c.key),
    ),
  ]);
  if (saved.length === 0) throw invalidToken(INVALID_ACCESS_TOKEN);
  const base32 = toBase32(secret);
  const label = encodeURIComponent(`${ISSUER}:${who.user.email}`).replace(/%40/g, "@").replace(/%3A/g, ":");
  return {
    secret: base32,
    otpauth_uri: `otpauth://totp/${label}?secret=${base32}&issuer=${ISSUER}&algorithm=SHA1&digits=6&period=30`,
  };
}

/** POST /api/mfa/totp/confirm: a code from the pending secret turns TOTP on; ten recovery codes, shown once. */
export async function confirmTotpEnrolment(deps: Deps, who: Authenticated, code: string) {
  const ring = await boxKeys(deps);
  const pending = who.user.totpPendingSecret;
  const opened = await openSecret(ring, pending);
  if (!pending || !opened) throw badRequest(TOTP_NOT_PENDING);
  const nowMs = deps.clock.now();
  const step = await matchingStep(opened.plaintext, code, nowMs);
  if (step === null) throw badRequest(INVALID_TOTP_CODE);
  const codes = newRecoveryCodes(deps);
  const digests = await Promise.all(codes.map((c) => keyedDigest(ring.current, normalizeCode(c))));
  const enabled = await enableTotp(deps.db, { ...caller(who), pending, step, digests, now: new Date(nowMs) });
  if (!enabled) throw badRequest(TOTP_NOT_PENDING);
  emitSecurityEvent({ event: "mfa.enrolled", user_id: who.user.id });
  deps.defer("mfa_enabled_notice", () => deps.mail.send(mfaEnabledNotice(who.user.email)));
  return { recovery_codes: codes };
}

/** The step of a TOTP code for the user's secret (later than the last one accepted), or null. */
async function freshStep(deps: Deps, user: User, code: string): Promise<{ step: number; stale: boolean } | null> {
  const opened = await openSecret(await boxKeys(deps), user.totpSecret);
  if (!opened) return null;
  const step = await matchingStep(opened.plaintext, code, deps.clock.now());
  if (step === null || (user.totpLastStep !== null && step <= user.totpLastStep)) return null;
  return { step, stale: opened.stale };
}

/** POST /api/mfa/recovery-codes: a current TOTP code → ten new recovery codes; the old ones stop working. */
export async function regenerateRecoveryCodes(deps: Deps, who: Authenticated, code: string) {
  if (!who.user.totpSecret) throw badRequest(TOTP_NOT_ENABLED);
  const fresh = await freshStep(deps, who.user, code);
  if (!fresh) throw badRequest(INVALID_TOTP_CODE);
  const ring = await boxKeys(deps);
  const codes = newRecoveryCodes(deps);
  const digests = await Promise.all(codes.map((c) => keyedDigest(ring.current, normalizeCode(c))));
  const now = new Date(deps.clock.now());
  if (!(await replaceRecoveryCodes(deps.db, { ...caller(who), step: fresh.step, digests, now }))) {
    throw badRequest(INVALID_TOTP_CODE);
  }
  emitSecurityEvent({ event: "mfa.recovery_codes_regenerated", user_id: who.user.id });
  return { recovery_codes: codes };
}

/** DELETE /api/mfa/totp: a TOTP or recovery code turns TOTP off (recovery codes gone, the address told). */
export async function turnOffTotp(deps: Deps, who: Authenticated, code: string) {
  if (!who.user.totpSecret) throw badRequest(TOTP_NOT_ENABLED);
  const now = new Date(deps.clock.now());
  const fresh = /^\d{6}$/.test(code) ? await freshStep(deps, who.user, code) : null;
  const proof = fresh ? { step: fresh.step } : { recoveryDigests: await digestsOf(await boxKeys(deps), code) };
  if (!(await disableTotp(deps.db, { ...caller(who), now, ...proof }))) throw badRequest(INVALID_TOTP_CODE);
  emitSecurityEvent({ event: "mfa.disabled", user_id: who.user.id, by: fresh ? "totp" : "recovery_code" });
  deps.defer("mfa_disabled_notice", () => deps.mail.send(mfaDisabledNotice(who.user.email)));
}

// ---- the login's second step ----------------------------------------------------------------------

export interface SecondStepInput {
  mfa_token: string;
  code?: string;
  recovery_code?: string;
}

/**
 * POST /api/login/mfa: the mfa_token and one code → the session the password login would have
 * opened (amr pwd+otp+mfa, or pwd+mfa with a recovery code). Each wrong code counts against the
 * token (five kill it) and against the account (MFA_MAX_FAILURES_PER_ACCOUNT); a TOTP step and a
 * recovery code work once, also when requests race (the session carries both checks). Every
 * refusal is the same 401.
 */
export async function completeSecondStep(deps: Deps, input: SecondStepInput, meta: LoginMeta): Promise<LoginResult> {
  const { config, db } = deps;
  const keys = await requireKeyRing(config);
  const nowMs = deps.clock.now();
  const now = new Date(nowMs);
  const refused = (userId: string | null, reason: "mfa_token" | "code") => {
    emitSecurityEvent({ event: "mfa.step_failed", user_id: userId, reason, ip: meta.ip });
    return unauthorized(MFA_FAILED);
  };
  if (!OPAQUE_TOKEN_PATTERN.test(input.mfa_token)) throw refused(null, "mfa_token");
  const tokenHash = await sha256Hex(input.mfa_token);
  const [user] = await findMfaTokenUser(db, tokenHash, now);
  if (!user?.totpSecret) throw refused(null, "mfa_token");

  // Every try counts for the account (given back on success): many mfa_tokens from one stolen
  // password share this budget.
  const spent = [charge(config, "mfa_failures", user.id)];
  enforce(spent, await reserve(db, spent, now), nowMs, { ip: meta.ip, user_id: user.id });

  let holds: SQL;
  let amr: string;
  let proof: { step: number } | { recoveryDigests: string[] };
  const ring = await boxKeys(deps);
  let resealed: string | null = null;
  if (input.code !== undefined) {
    const fresh = await freshStep(deps, user, input.code);
    if (!fresh) throw await failedCode(deps, user, tokenHash, meta);
    proof = { step: fresh.step };
    holds = stepIsNew(fresh.step);
    amr = "pwd otp mfa";
    // Sealed under a former MFA_ENCRYPTION_KEY: sealed again under the current one as it is used.
    const opened = fresh.stale ? await openSecret(ring, user.totpSecret) : null;
    if (opened) resealed = await seal(ring, opened.plaintext);
  } else {
    proof = { recoveryDigests: await digestsOf(ring, input.recovery_code ?? "") };
    holds = hasRecoveryCode(db, proof.recoveryDigests);
    amr = "pwd mfa";
  }
  const opened = await openLoginSession(deps, keys, {
    user,
    amr,
    holds: and(holds, mfaTokenStillLive(db, tokenHash, now), eq(users.hashedPassword, user.hashedPassword)) as SQL,
    clear: [],
    release: spent.map((c) => c.key),
    knownNetwork: null,
    meta,
    nowMs,
    alongside: (written) => [
      ...spendSecondStepStatements(db, { userId: user.id, tokenHash, ...proof }, written),
      ...(resealed && user.totpSecret ? [resealStatement(db, user.id, user.totpSecret, resealed, written)] : []),
    ],
  });
  if (!opened) throw await failedCode(deps, user, tokenHash, meta);
  if ("recoveryDigests" in proof) emitSecurityEvent({ event: "mfa.recovery_code_used", user_id: user.id });
  return opened;
}

/** A wrong (or spent) code: counted against the mfa_token, which the fifth kills. */
async function failedCode(deps: Deps, user: User, tokenHash: string, meta: LoginMeta) {
  const [row] = await countMfaFailure(deps.db, tokenHash);
  emitSecurityEvent({ event: "mfa.step_failed", user_id: user.id, reason: "code", ip: meta.ip });
  if (row && row.failures >= MAX_MFA_TOKEN_FAILURES) emitSecurityEvent({ event: "mfa.step_locked", user_id: user.id });
  return unauthorized(MFA_FAILED);
}
