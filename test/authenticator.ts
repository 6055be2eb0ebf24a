// A software WebAuthn authenticator for the workerd tests (and npm run bench): real P-256 keys (Web Crypto), "none"
// attestation, real signatures over real authenticator data, in the JSON a browser's
// PublicKeyCredential.toJSON() gives. It can lie where a test needs it to (another origin, another
// RP id, a counter that goes back), which a browser never lets a page do.

const encoder = new TextEncoder();

// base64url by btoa/atob, so this file runs in workerd and in Node 20 alike (npm run bench uses it).
const toBase64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
const fromBase64Url = (text: string) =>
  Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

// ---- a little CBOR (RFC 8949): what attestation objects and COSE keys use ----------------------
type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;

function head(major: number, value: number): number[] {
  if (value < 24) return [(major << 5) | value];
  if (value < 0x100) return [(major << 5) | 24, value];
  if (value < 0x10000) return [(major << 5) | 25, value >> 8, value & 0xff];
  return [(major << 5) | 26, (value >>> 24) & 0xff, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

function cbor(value: Cbor): number[] {
  if (typeof value === "number") return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === "string") {
    const bytes = encoder.encode(value);
    return [...head(3, bytes.length), ...bytes];
  }
  if (value instanceof Uint8Array) return [...head(2, value.length), ...value];
  return [...head(5, value.size), ...[...value].flatMap(([k, v]) => [...cbor(k), ...cbor(v)])];
}

const concat = (...parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((part) => [...part]));
const sha256 = async (data: Uint8Array) => new Uint8Array(await crypto.subtle.digest("SHA-256", data));
const uint32 = (n: number) => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];

/** An IEEE P1363 ECDSA signature (r‖s, Web Crypto's) as DER, which WebAuthn carries. */
function toDer(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    const trimmed = bytes.slice(i);
    const body = trimmed[0] & 0x80 ? concat([0], trimmed) : trimmed;
    return concat([0x02, body.length], body);
  };
  const body = concat(integer(raw.slice(0, 32)), integer(raw.slice(32)));
  return concat([0x30, body.length], body);
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

interface Credential {
  id: Uint8Array;
  keys: CryptoKeyPair;
  userHandle: string;
  signCount: number;
}

export interface CreationOptions {
  challenge: string;
  rp: { id: string };
  user: { id: string };
}

export interface RequestOptions {
  challenge: string;
}

/** What a test may bend in one ceremony. */
export interface Tamper {
  origin?: string;
  rpId?: string;
  type?: string;
  challenge?: string;
  /** The counter to sign with, instead of the next one. */
  signCount?: number;
  userPresent?: boolean;
  /** Sign with another key than the credential's. */
  wrongKey?: boolean;
  /** Send these bytes as the signature instead. */
  signature?: Uint8Array;
}

export class SoftAuthenticator {
  readonly credentials: Credential[] = [];

  /** `counts`: whether the signature counter moves (most synced passkeys keep 0). */
  constructor(
    readonly origin: string,
    readonly rpId: string,
    readonly counts = true,
  ) {}

  private async authenticatorData(rpId: string, flags: number, signCount: number, attested?: Uint8Array) {
    return concat(await sha256(encoder.encode(rpId)), [flags], uint32(signCount), attested ?? []);
  }

  private clientData(type: string, challenge: string, origin: string) {
    return encoder.encode(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** navigator.credentials.create() for these options: a new credential, as RegistrationResponseJSON. */
  async create(options: CreationOptions, tamper: Tamper = {}) {
    const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    const id = crypto.getRandomValues(new Uint8Array(32));
    const jwk = (await crypto.subtle.exportKey("jwk", keys.publicKey)) as JsonWebKey;
    const coordinate = (value: string | undefined) => fromBase64Url(value ?? "");
    const coseKey = new Map<Cbor, Cbor>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, coordinate(jwk.x)],
      [-3, coordinate(jwk.y)],
    ]);
    const signCount = tamper.signCount ?? (this.counts ? 1 : 0);
    const flags = (tamper.userPresent === false ? 0 : FLAG_UP) | FLAG_UV | FLAG_AT;
    const attested = concat(new Uint8Array(16), [0, id.length], id, cbor(coseKey));
    const authData = await this.authenticatorData(tamper.rpId ?? options.rp.id, flags, signCount, attested);
    const attestationObject = Uint8Array.from(
      cbor(
        new Map<Cbor, Cbor>([
          ["fmt", "none"],
          ["attStmt", new Map()],
          ["authData", authData],
        ]),
      ),
    );
    const clientDataJSON = this.clientData(
      tamper.type ?? "webauthn.create",
      tamper.challenge ?? options.challenge,
      tamper.origin ?? this.origin,
    );
    this.credentials.push({ id, keys, userHandle: options.user.id, signCount });
    return {
      id: toBase64Url(id),
      rawId: toBase64Url(id),
      type: "public-key",
      response: {
        clientDataJSON: toBase64Url(clientDataJSON),
        attestationObject: toBase64Url(attestationObject),
        transports: ["internal"],
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }

  /** navigator.credentials.get() for these options: a signed assertion, as AuthenticationResponseJSON. */
  async get(options: RequestOptions, tamper: Tamper = {}, credential = this.credentials.at(-1)) {
    if (!credential) throw new Error("no credential on this authenticator");
    if (tamper.signCount === undefined && this.counts) credential.signCount++;
    const signCount = tamper.signCount ?? credential.signCount;
    const flags = (tamper.userPresent === false ? 0 : FLAG_UP) | FLAG_UV;
    const authData = await this.authenticatorData(tamper.rpId ?? this.rpId, flags, signCount);
    const clientDataJSON = this.clientData(
      tamper.type ?? "webauthn.get",
      tamper.challenge ?? options.challenge,
      tamper.origin ?? this.origin,
    );
    const signer = tamper.wrongKey
      ? ((await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign"])) as CryptoKeyPair)
      : credential.keys;
    const message = concat(authData, await sha256(clientDataJSON));
    const raw = new Uint8Array(
      await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, signer.privateKey, message),
    );
    return {
      id: toBase64Url(credential.id),
      rawId: toBase64Url(credential.id),
      type: "public-key",
      response: {
        clientDataJSON: toBase64Url(clientDataJSON),
        authenticatorData: toBase64Url(authData),
        signature: toBase64Url(tamper.signature ?? toDer(raw)),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }
}
