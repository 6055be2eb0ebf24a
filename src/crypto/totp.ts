// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), as authenticator apps make them:
// HMAC-SHA-1 by Web Crypto, 30-second steps, 6 digits; base32 secrets (RFC 4648) for otpauth URIs.

const STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** RFC 4648 base32, unpadded (as otpauth URIs carry secrets). */
export function toBase32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** The time step of a moment (RFC 6238 §4: T = floor(unix seconds / 30)). */
export const stepAt = (nowMs: number) => Math.floor(nowMs / 1000 / STEP_SECONDS);

/** The code for one step (RFC 4226 §5.3: dynamic truncation of HMAC-SHA-1 over the step counter). */
export async function totpCode(secret: Uint8Array, step: number, digits = TOTP_DIGITS): Promise<string> {
  const counter = new Uint8Array(8);
  new DataView(counter.buffer).setBigUint64(0, BigInt(step));
  const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, counter));
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 10 ** digits).padStart(digits, "0");
}

/**
 * The step whose code `code` is, among the current step and one either side (clock drift, a code
 * typed as its step ended), or null. Every candidate is computed and compared, so the time taken
 * does not say which matched.
 */
export async function matchingStep(secret: Uint8Array, code: string, nowMs: number): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const now = stepAt(nowMs);
  const steps = [now - 1, now, now + 1];
  const codes = await Promise.all(steps.map((step) => totpCode(secret, step)));
  let found: number | null = null;
  codes.forEach((candidate, i) => {
    if (candidate === code) found = steps[i];
  });
  return found;
}
