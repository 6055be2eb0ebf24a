// Password hashing: PBKDF2-HMAC-SHA256 through Web Crypto, stored as one self-describing
// string "pbkdf2-sha256$<iterations>$<salt>$<hash>" (base64url) so parameters can change later.

import { fromBase64Url, type RandomBytes, randomBytes, timingSafeEqual, toBase64Url } from "./bytes";

/**
 * Production Workers throw NotSupportedError above 100,000 PBKDF2 iterations; local workerd
 * and the test pool do not enforce it, so a unit test pins this constant.
 */
export const PBKDF2_ITERATIONS = 100_000;
export const PBKDF2_MAX_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BITS = 256;
const SCHEME = "pbkdf2-sha256";

/**
 * A hash of a random password nobody knows, computed at build time. Login for an unknown
 * email verifies against it so it costs the same as a wrong password for a real account.
 */
export const DUMMY_PASSWORD_HASH =
  "pbkdf2-sha256$100000$42rxsqSnmPx6PP0llfvM6Q$UV5MxNsSFrRF9Yp4rsVmqaALVNq5Rt_TyewSJKqH_GA";

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, HASH_BITS);
  return new Uint8Array(bits);
}

/** Hashes a password with a fresh random salt. */
export async function hashPassword(password: string, random: RandomBytes = randomBytes): Promise<string> {
  const salt = random(SALT_BYTES);
  const hash = await derive(password, salt, PBKDF2_ITERATIONS);
  return `${SCHEME}$${PBKDF2_ITERATIONS}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

/**
 * Checks a password against a stored hash in constant time. A malformed stored string, or one
 * whose iteration count the platform would refuse, verifies as false rather than throwing.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 4 || parts[0] !== SCHEME) return false;
  const iterations = Number(parts[1]);
  const salt = fromBase64Url(parts[2]);
  const expected = fromBase64Url(parts[3]);
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > PBKDF2_MAX_ITERATIONS) return false;
  if (!salt || !expected || expected.byteLength !== HASH_BITS / 8) return false;
  return timingSafeEqual(await derive(password, salt, iterations), expected);
}
