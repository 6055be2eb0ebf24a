// Secrets kept in D1 encrypted (TOTP secrets): AES-256-GCM under a key derived (HKDF) from
// MFA_ENCRYPTION_KEY, which never lives in D1. A box names the key that sealed it, so keys rotate:
// the current key seals, it and MFA_PREVIOUS_ENCRYPTION_KEYS open. The same secret also derives
// the HMAC key that recovery codes are stored under (a dump of D1 alone cannot test guesses).

import { fromBase64Url, toBase64Url } from "./bytes";

const encoder = new TextEncoder();
const IV_BYTES = 12;

export interface BoxKey {
  kid: string;
  aes: CryptoKey;
  /** HMAC-SHA256 for digests that must not be testable without the key (recovery codes). */
  mac: CryptoKey;
}

export interface BoxKeyRing {
  current: BoxKey;
  byKid: Map<string, BoxKey>;
}

async function hkdf(
  secret: string,
  label: string,
  algorithm: { name: "AES-GCM"; length: 256 } | { name: "HMAC"; hash: "SHA-256"; length: 256 },
  usages: ("encrypt" | "decrypt" | "sign")[],
) {
  const ikm = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode("chirpy-edge"), info: encoder.encode(label) },
    ikm,
    algorithm,
    false,
    usages,
  );
}

const cache = new Map<string, Promise<BoxKey>>();

function boxKeyFor(secret: string): Promise<BoxKey> {
  let key = cache.get(secret);
  if (!key) {
    key = (async () => {
      const mac = await hkdf(secret, "mfa digests v1", { name: "HMAC", hash: "SHA-256", length: 256 }, ["sign"]);
      const kidMac = await crypto.subtle.sign("HMAC", mac, encoder.encode("chirpy-edge box kid v1"));
      return {
        kid: toBase64Url(new Uint8Array(kidMac).slice(0, 9)),
        aes: await hkdf(secret, "mfa secrets v1", { name: "AES-GCM", length: 256 }, ["encrypt", "decrypt"]),
        mac,
      };
    })();
    cache.set(secret, key);
  }
  return key;
}

export async function boxKeyRingFor(current: string, previous: string[]): Promise<BoxKeyRing> {
  const keys = await Promise.all([current, ...previous].map(boxKeyFor));
  return { current: keys[0], byKid: new Map(keys.map((key) => [key.kid, key])) };
}

/** Seals bytes: "v1.<kid>.<iv>.<ciphertext>" (base64url), authenticated with the kid as extra data. */
export async function seal(ring: BoxKeyRing, plaintext: Uint8Array): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const { kid, aes } = ring.current;
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(kid) },
    aes,
    plaintext,
  );
  return ["v1", kid, toBase64Url(iv), toBase64Url(new Uint8Array(sealed))].join(".");
}

/** Opens a box; null when its key is not in the ring or it was tampered with. */
export async function open(ring: BoxKeyRing, box: string): Promise<{ plaintext: Uint8Array; stale: boolean } | null> {
  const [version, kid, iv, sealed, ...rest] = box.split(".");
  const key = ring.byKid.get(kid);
  const ivBytes = fromBase64Url(iv ?? "");
  const sealedBytes = fromBase64Url(sealed ?? "");
  if (version !== "v1" || rest.length > 0 || !key || !ivBytes || !sealedBytes) return null;
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: ivBytes, additionalData: encoder.encode(kid) },
      key.aes,
      sealedBytes,
    );
    return { plaintext: new Uint8Array(plaintext), stale: kid !== ring.current.kid };
  } catch {
    return null;
  }
}

/** A keyed digest (hex) of a short secret such as a recovery code, under the current key. */
export async function keyedDigest(key: BoxKey, text: string): Promise<string> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", key.mac, encoder.encode(text))).toHex();
}
