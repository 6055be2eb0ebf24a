// The signing keys: each JWT_SECRET (current and previous) becomes, once per isolate, a ready
// HMAC CryptoKey named by a `kid` derived from it (not the secret), and the key that derives
// rotated refresh tokens. A rotated-out secret keeps verifying (JWT_PREVIOUS_SECRETS) while only
// the current one signs. Keys hold no raw secret.

import { toBase64Url } from "./bytes";

export interface SigningKey {
  kid: string;
  /** HMAC-SHA256 over the secret: signs and verifies access tokens. */
  cryptoKey: CryptoKey;
  /** Derives rotated refresh tokens (see successorKeyFor); HMAC-SHA256, sign only. */
  successorKey: CryptoKey;
  /** Signs and verifies device cookies (auth/device.ts); HMAC-SHA256 under its own label. */
  deviceKey: CryptoKey;
}

export interface KeyRing {
  current: SigningKey;
  byKid: Map<string, SigningKey>;
}

const encoder = new TextEncoder();
const HMAC_SHA256 = { name: "HMAC", hash: "SHA-256" } as const;

// Secrets are fixed for an isolate's life: derive each key's kid and CryptoKey once.
const keyCache = new Map<string, Promise<SigningKey>>();

async function deriveKey(secret: string): Promise<SigningKey> {
  const cryptoKey = await crypto.subtle.importKey("raw", encoder.encode(secret), HMAC_SHA256, false, [
    "sign",
    "verify",
  ]);
  // An HMAC of a fixed label under the key: stable, and reveals nothing about the secret.
  const mac = await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode("chirpy-edge kid v1"));
  return {
    kid: toBase64Url(new Uint8Array(mac).slice(0, 12)),
    cryptoKey,
    successorKey: await hkdfKeyFor(secret, "refresh-token successor v1", ["sign"]),
    deviceKey: await hkdfKeyFor(secret, "device cookie v1", ["sign", "verify"]),
  };
}

/**
 * An HMAC key for one purpose: HKDF-SHA256 (RFC 5869) of the signing secret under the purpose's own
 * label, so it is independent of the signing key and, like the secret, never stored in D1. (The
 * key that derives rotated refresh tokens: a database read plus any number of spent tokens
 * therefore derives nothing.)
 */
async function hkdfKeyFor(secret: string, label: string, usages: ("sign" | "verify")[]): Promise<CryptoKey> {
  const ikm = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode("chirpy-edge"), info: encoder.encode(label) },
    ikm,
    { ...HMAC_SHA256, length: 256 },
    false,
    usages,
  );
}

export function signingKeyFor(secret: string): Promise<SigningKey> {
  let key = keyCache.get(secret);
  if (!key) {
    key = deriveKey(secret);
    keyCache.set(secret, key);
  }
  return key;
}

/** The current key signs; it and the previous ones verify. */
export async function keyRingFor(current: string, previous: string[]): Promise<KeyRing> {
  const keys = await Promise.all([current, ...previous].map(signingKeyFor));
  return { current: keys[0], byKid: new Map(keys.map((key) => [key.kid, key])) };
}
