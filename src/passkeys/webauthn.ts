// WebAuthn ceremonies, checked: @oslojs/webauthn parses what the browser sends (client data,
// authenticator data, the attestation object, COSE keys) and every check is made here, in the
// order of WebAuthn Level 3 §7; signatures are verified by the runtime's Web Crypto (ES256,
// EdDSA, RS256), public keys kept as SPKI. Attestation statements are not verified: registration
// asks for "none", and no decision here depends on who made the authenticator. Pure functions: no
// database, no clock (challenges are the service's).

import {
  ClientDataType,
  COSEKeyType,
  type COSEPublicKey,
  coseAlgorithmEdDSA,
  coseAlgorithmES256,
  coseAlgorithmRS256,
  coseEllipticCurveEd25519,
  coseEllipticCurveP256,
  createAssertionSignatureMessage,
  parseAttestationObject,
  parseAuthenticatorData,
  parseClientDataJSON,
} from "@oslojs/webauthn";
import { fromBase64Url, toBase64Url, toHex } from "../crypto/bytes";

/** The relying party: the domain passkeys are bound to, and the exact origins that may use them. */
export interface RelyingParty {
  id: string;
  origins: readonly string[];
}

/** The algorithms a passkey may use (COSE ids), in the order registration offers them. */
export const ALGORITHMS = [coseAlgorithmES256, coseAlgorithmEdDSA, coseAlgorithmRS256] as const;

/** Why a ceremony was refused (for the event; the answer says less). */
export type CeremonyFault =
  | "malformed"
  | "type"
  | "origin"
  | "rp_id"
  | "user_presence"
  | "algorithm"
  | "credential_id"
  | "signature";

export class CeremonyRefused extends Error {
  constructor(readonly fault: CeremonyFault) {
    super(`WebAuthn ceremony refused: ${fault}`);
  }
}

const refuse = (fault: CeremonyFault): never => {
  throw new CeremonyRefused(fault);
};

/** Bytes from a base64url field, or a refusal. */
const bytesOf = (field: string): Uint8Array => fromBase64Url(field) ?? refuse("malformed");

/** Parses with a library parser; any parse error is a malformed ceremony. */
function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch {
    return refuse("malformed");
  }
}

/** The client data's checks shared by both ceremonies; its challenge, as the hex the store keys by. */
function checkClientData(clientDataJSON: Uint8Array, type: ClientDataType, rp: RelyingParty): string {
  const clientData = parsed(() => parseClientDataJSON(clientDataJSON));
  if (clientData.type !== type) refuse("type");
  // An exact origin of ours, and not from a frame of another site.
  if (!rp.origins.includes(clientData.origin) || clientData.crossOrigin === true) refuse("origin");
  return toHex(clientData.challenge);
}

export interface NewCredential {
  /** The challenge the browser signed over, hex (the service consumes it). */
  challenge: string;
  credentialId: string;
  /** The public key as SPKI, base64url, and its COSE algorithm. */
  publicKey: string;
  algorithm: number;
  signCount: number;
}

/** A registration response (RegistrationResponseJSON), checked; the challenge is left to the caller. */
export async function checkRegistration(
  credential: { id: string; response: { clientDataJSON: string; attestationObject: string } },
  rp: RelyingParty,
): Promise<NewCredential> {
  const challenge = checkClientData(bytesOf(credential.response.clientDataJSON), ClientDataType.Create, rp);
  const { authenticatorData } = parsed(() => parseAttestationObject(bytesOf(credential.response.attestationObject)));
  if (!authenticatorData.verifyRelyingPartyIdHash(rp.id)) refuse("rp_id");
  if (!authenticatorData.userPresent) refuse("user_presence");
  const attested = authenticatorData.credential ?? refuse("malformed");
  if (toBase64Url(attested.id) !== credential.id) refuse("credential_id");
  const key = await importCoseKey(attested.publicKey);
  return {
    challenge,
    credentialId: credential.id,
    publicKey: toBase64Url(new Uint8Array((await crypto.subtle.exportKey("spki", key.cryptoKey)) as ArrayBuffer)),
    algorithm: key.algorithm,
    signCount: authenticatorData.signatureCounter,
  };
}

/** The challenge an authentication response signed over (hex), once its client data checks out. */
export const challengeOfAssertion = (credential: { response: { clientDataJSON: string } }, rp: RelyingParty): string =>
  checkClientData(bytesOf(credential.response.clientDataJSON), ClientDataType.Get, rp);

export interface Assertion {
  challenge: string;
  signCount: number;
  userVerified: boolean;
}

/** An authentication response (AuthenticationResponseJSON), checked against the stored passkey. */
export async function checkAssertion(
  credential: { response: { clientDataJSON: string; authenticatorData: string; signature: string } },
  passkey: { publicKey: string; algorithm: number },
  rp: RelyingParty,
): Promise<Assertion> {
  const clientDataJSON = bytesOf(credential.response.clientDataJSON);
  const challenge = checkClientData(clientDataJSON, ClientDataType.Get, rp);
  const rawAuthenticatorData = bytesOf(credential.response.authenticatorData);
  const authenticatorData = parsed(() => parseAuthenticatorData(rawAuthenticatorData));
  if (!authenticatorData.verifyRelyingPartyIdHash(rp.id)) refuse("rp_id");
  if (!authenticatorData.userPresent) refuse("user_presence");
  const message = createAssertionSignatureMessage(rawAuthenticatorData, clientDataJSON);
  const signature = bytesOf(credential.response.signature);
  if (!(await verifySignature(passkey, signature, message))) refuse("signature");
  return { challenge, signCount: authenticatorData.signatureCounter, userVerified: authenticatorData.userVerified };
}

// ---- keys and signatures ------------------------------------------------------------------------

const PARAMS = {
  [coseAlgorithmES256]: { import: { name: "ECDSA", namedCurve: "P-256" }, verify: { name: "ECDSA", hash: "SHA-256" } },
  [coseAlgorithmEdDSA]: { import: { name: "Ed25519" }, verify: { name: "Ed25519" } },
  [coseAlgorithmRS256]: {
    import: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    verify: { name: "RSASSA-PKCS1-v1_5" },
  },
} as const;

type Algorithm = keyof typeof PARAMS;
const isAlgorithm = (value: number): value is Algorithm => value in PARAMS;

const bigIntBytes = (value: bigint, length?: number): Uint8Array => {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = Uint8Array.fromHex(hex);
  if (length === undefined || bytes.length === length) return bytes;
  const padded = new Uint8Array(length);
  padded.set(bytes.slice(-length), Math.max(0, length - bytes.length));
  return padded;
};

/** A COSE public key as a Web Crypto key, for the algorithms above only. */
async function importCoseKey(cose: COSEPublicKey): Promise<{ cryptoKey: CryptoKey; algorithm: Algorithm }> {
  const algorithm = parsed(() => cose.algorithm());
  if (!isAlgorithm(algorithm)) return refuse("algorithm");
  const jwk = parsed((): JsonWebKey => {
    if (algorithm === coseAlgorithmES256 && cose.type() === COSEKeyType.EC2) {
      const { curve, x, y } = cose.ec2();
      if (curve !== coseEllipticCurveP256) throw new Error("curve");
      return { kty: "EC", crv: "P-256", x: toBase64Url(bigIntBytes(x, 32)), y: toBase64Url(bigIntBytes(y, 32)) };
    }
    if (algorithm === coseAlgorithmEdDSA && cose.type() === COSEKeyType.OKP) {
      const { curve, x } = cose.okp();
      if (curve !== coseEllipticCurveEd25519) throw new Error("curve");
      return { kty: "OKP", crv: "Ed25519", x: toBase64Url(x) };
    }
    if (algorithm === coseAlgorithmRS256 && cose.type() === COSEKeyType.RSA) {
      const { n, e } = cose.rsa();
      return { kty: "RSA", n: toBase64Url(bigIntBytes(n)), e: toBase64Url(bigIntBytes(e)) };
    }
    throw new Error("key type");
  });
  try {
    return {
      cryptoKey: await crypto.subtle.importKey("jwk", jwk, PARAMS[algorithm].import, true, ["verify"]),
      algorithm,
    };
  } catch {
    return refuse("algorithm");
  }
}

/**
 * An ECDSA P-256 signature as WebAuthn carries it (DER: SEQUENCE { INTEGER r, INTEGER s }) in the
 * form Web Crypto verifies (r and s, 32 bytes each); null when it is not that. A dozen lines here
 * instead of an ASN.1 library (17 KiB of the Worker's bundle) for this one shape.
 */
function derToP1363(der: Uint8Array): Uint8Array | null {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return null;
  const out = new Uint8Array(64);
  let at = 2;
  for (const half of [0, 32]) {
    if (der[at] !== 0x02) return null;
    const length = der[at + 1];
    const start = at + 2;
    if (length < 1 || length > 33 || start + length > der.length) return null;
    let integer = der.subarray(start, start + length);
    if (integer.length === 33) {
      if (integer[0] !== 0) return null;
      integer = integer.subarray(1);
    }
    out.set(integer, half + 32 - integer.length);
    at = start + length;
  }
  return at === der.length ? out : null;
}

/** Whether `signature` is the passkey's over `message` (an ES256 signature comes DER-encoded). */
async function verifySignature(
  passkey: { publicKey: string; algorithm: number },
  signature: Uint8Array,
  message: Uint8Array,
): Promise<boolean> {
  const { algorithm } = passkey;
  if (!isAlgorithm(algorithm)) return false;
  const spki = fromBase64Url(passkey.publicKey);
  if (!spki) return false;
  try {
    const key = await crypto.subtle.importKey("spki", spki, PARAMS[algorithm].import, false, ["verify"]);
    const raw = algorithm === coseAlgorithmES256 ? derToP1363(signature) : signature;
    return raw !== null && (await crypto.subtle.verify(PARAMS[algorithm].verify, key, raw, message));
  } catch {
    return false;
  }
}
