// Every setting, declared once: one valibot schema over the Worker's environment gives each
// variable its type, default and rule, and parses it into the typed Config the code reads (never
// env.X). Adding a setting is one entry here (plus its row in docs/configuration.md, checked by a test).
// A missing or weak secret does not throw here: it is recorded so only the routes that need it
// fail (closed), with a log line naming the problem. A malformed setting is a misconfiguration.

import * as v from "valibot";
import { MisconfigurationError } from "./errors";
import type { MailBinding } from "./mail/mailer";

const MIN_JWT_SECRET_BYTES = 32;

const text = (fallback: string) =>
  v.pipe(
    v.optional(v.string(), ""),
    v.transform((value) => value || fallback),
  );

const integer = (fallback: number, min = 1) =>
  v.pipe(
    v.optional(v.string(), ""),
    v.transform((value) => (value === "" ? fallback : Number(value))),
    v.check((value) => Number.isSafeInteger(value) && value >= min, `must be an integer >= ${min}`),
  );

const onOff = v.pipe(
  v.optional(v.string(), ""),
  v.check((value) => ["", "on", "off"].includes(value), 'must be "on" or "off"'),
  v.transform((value) => value === "on"),
);

const list = v.pipe(
  v.optional(v.string(), ""),
  v.transform((value) =>
    value
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== ""),
  ),
);

/** An absolute http(s) URL. */
function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}

/** "https://app.example.com" or "http://localhost:5173": scheme, host and port, nothing else. */
const isExactOrigin = (value: string) => isHttpUrl(value) && new URL(value).origin === value && !value.includes("*");

const strongEnough = (secret: string) => new TextEncoder().encode(secret).length >= MIN_JWT_SECRET_BYTES;

/** The settings: environment variable → type, default, rule. Secrets are the last five. */
export const settingsSchema = v.object({
  /** "dev" enables the dev tools (POST /admin/reset); anything else (the default) does not. */
  PLATFORM: text("production"),
  JWT_ISSUER: text("chirpy-access"),
  ACCESS_TOKEN_TTL_SECONDS: integer(3600),
  REFRESH_TOKEN_TTL_SECONDS: integer(5_184_000),
  REFRESH_TOKEN_ROTATION: onOff,
  REFRESH_TOKEN_REUSE_GRACE_SECONDS: integer(10, 0),
  /** Live sessions per user; a login past it ends the least recently used one. */
  MAX_SESSIONS_PER_USER: integer(100),
  /** Login attempts (success or failure) per client network per window, counted before hashing. */
  LOGIN_MAX_ATTEMPTS_PER_IP: integer(100),
  /** Failed logins per (email, client network): the hard block a guessing network meets. */
  LOGIN_MAX_FAILURES_PER_EMAIL: integer(5),
  /** Failed logins per email from all networks the account has not recently logged in from. */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: integer(20),
  /** Failed logins through one device cookie (a browser that logged in before), which the account budget spares. */
  LOGIN_MAX_FAILURES_PER_DEVICE: integer(10),
  LOGIN_MAX_FAILURES_PER_IP: integer(50),
  LOGIN_FAILURE_WINDOW_SECONDS: integer(900),
  /** How long a network stays "known" to an account after a successful login from it. */
  LOGIN_KNOWN_NETWORK_SECONDS: integer(2_592_000),
  SIGNUP_MAX_PER_IP: integer(30),
  SIGNUP_MAX_GLOBAL: integer(1000),
  SIGNUP_WINDOW_SECONDS: integer(3600),
  /** PUT /api/users per user per window: each one hashes the password to tell whether it changed. */
  PASSWORD_CHANGE_MAX_PER_USER: integer(10),
  PASSWORD_CHANGE_WINDOW_SECONDS: integer(3600),
  /** The sender of every mail (an address on a domain onboarded to Cloudflare Email Service). */
  EMAIL_FROM: text("no-reply@example.com"),
  /** The base of links in mails (the web app); empty: the API's own origin + "/app". */
  APP_URL: v.pipe(
    v.optional(v.string(), ""),
    v.check(
      (value) => value === "" || isHttpUrl(value),
      "must be an absolute http(s) URL such as https://app.example.com",
    ),
    v.transform((value) => value.replace(/\/+$/, "")),
  ),
  PASSWORD_RESET_TTL_SECONDS: integer(1800),
  EMAIL_VERIFICATION_TTL_SECONDS: integer(86_400),
  /** "on": logging in needs a verified email address (403 otherwise). */
  REQUIRE_VERIFIED_EMAIL: onOff,
  /** Reset requests per email per mail window, counted before any work; past it nothing is sent. */
  PASSWORD_RESET_MAX_PER_EMAIL: integer(3),
  /** Reset requests per client network per mail window (IPv6 ×4 per /56, ×8 per /48). */
  PASSWORD_RESET_MAX_PER_IP: integer(20),
  /** Verification mails a user may ask for again per mail window. */
  EMAIL_VERIFICATION_MAX_PER_USER: integer(5),
  /** Mails of any kind to one address per mail window; past it nothing more is sent to it. */
  MAIL_MAX_PER_RECIPIENT: integer(5),
  MAIL_WINDOW_SECONDS: integer(3600),
  /** A session's last_used_at is stamped at most once per this many seconds by refreshes. */
  SESSION_TOUCH_INTERVAL_SECONDS: integer(300, 0),
  /** Wrong second-step codes per account per login window, across all its mfa_tokens. */
  MFA_MAX_FAILURES_PER_ACCOUNT: integer(20),
  /**
   * Origins allowed by CORS, with credentials (the session cookie): exact origins only, never "*";
   * empty means CORS is off.
   */
  CORS_ORIGINS: v.pipe(
    list,
    v.check(
      (origins) => origins.every(isExactOrigin),
      'must list exact origins such as https://app.example.com (scheme, host, optional port; no "*", no path)',
    ),
  ),
  /**
   * The WebAuthn relying party: the domain passkeys are bound to (the site's host or a parent
   * domain of it, never an IP address), and the exact origins allowed to use them. In development,
   * when empty, the request's own host and origin.
   */
  WEBAUTHN_RP_ID: v.pipe(
    v.optional(v.string(), ""),
    v.check(
      (value) => value === "" || /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(value),
      "must be a domain such as example.com (lowercase; no scheme, port or path; not an IP address)",
    ),
  ),
  WEBAUTHN_ORIGINS: v.pipe(
    list,
    v.check(
      (origins) => origins.every(isExactOrigin),
      "must list exact origins such as https://chirpy.example.com (scheme, host, optional port; no path)",
    ),
  ),
  /** Null when missing or shorter than MIN_JWT_SECRET_BYTES: nothing is signed with a weak key. */
  JWT_SECRET: v.pipe(
    v.optional(v.string(), ""),
    v.transform((secret) => (strongEnough(secret) ? secret : null)),
  ),
  /** Secrets that still verify (not sign), so a key rotation logs nobody out; weak ones are dropped. */
  JWT_PREVIOUS_SECRETS: v.pipe(
    list,
    v.transform((secrets) => secrets.filter(strongEnough)),
  ),
  /**
   * The key TOTP secrets are encrypted under in D1 (AES-256-GCM, HKDF-derived), and recovery codes
   * digested under; null when missing or shorter than MIN_JWT_SECRET_BYTES. In development, when
   * missing, one is derived from JWT_SECRET.
   */
  MFA_ENCRYPTION_KEY: v.pipe(
    v.optional(v.string(), ""),
    v.transform((secret) => (strongEnough(secret) ? secret : null)),
  ),
  /** Former MFA_ENCRYPTION_KEYs that still open what they sealed (rotation); weak ones are dropped. */
  MFA_PREVIOUS_ENCRYPTION_KEYS: v.pipe(
    list,
    v.transform((secrets) => secrets.filter(strongEnough)),
  ),
  /** Null when missing or empty. */
  POLKA_KEY: v.pipe(
    v.optional(v.string(), ""),
    v.transform((key) => key || null),
  ),
});

type Settings = v.InferOutput<typeof settingsSchema>;
type SettingName = keyof Settings & string;

/** The Worker's bindings: the D1 database and every setting, as the environment gives them. */
export type Bindings = { DB: D1Database; EMAIL?: MailBinding } & Partial<Record<SettingName, string>>;

/** SCREAMING_SNAKE → camelCase, in types: ACCESS_TOKEN_TTL_SECONDS → accessTokenTtlSeconds. */
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Lowercase<Head>}${Capitalize<CamelCase<Tail>>}`
  : Lowercase<S>;

/** The parsed settings the code reads: each variable under its camelCase name, typed by the schema. */
export type Config = { readonly [K in SettingName as CamelCase<K>]: Settings[K] };

const camelCase = (name: string) =>
  name.toLowerCase().replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

const toConfig = (settings: Settings) =>
  Object.fromEntries(Object.entries(settings).map(([name, value]) => [camelCase(name), value])) as Config;

/** A malformed setting: its name, the value it was given, the rule it breaks, and all three as one line. */
interface SettingProblem {
  name: string;
  value: unknown;
  rule: string;
  /** e.g. `ACCESS_TOKEN_TTL_SECONDS="0" must be an integer >= 1` */
  message: string;
}

/**
 * The first malformed setting of an environment, or null when every setting parses. `npm start`
 * runs this before serving (scripts/start.mjs), so a bad value stops the start, not every request.
 */
export function findSettingProblem(env: Record<string, unknown>): SettingProblem | null {
  const result = v.safeParse(settingsSchema, env);
  if (result.success) return null;
  const issue = result.issues[0];
  const name = v.getDotPath(issue) ?? "a setting";
  const value = env[name];
  return { name, value, rule: issue.message, message: `${name}=${JSON.stringify(value)} ${issue.message}` };
}

/**
 * What a deployment cannot run without although every setting parses: outside development, mail
 * links come from APP_URL only (never from a request's Host), so an empty APP_URL would mean no
 * reset or verification mail at all. `npm start` and `npm run deploy` refuse it.
 */
export function findDeploymentProblem(env: Record<string, unknown>): string | null {
  const platform = env.PLATFORM || "production";
  if (platform !== "dev" && !env.APP_URL) {
    return `APP_URL is empty with PLATFORM="${platform}": mail links come from APP_URL only outside development; set it to the web app's URL (e.g. https://chirpy.example.com/app)`;
  }
  return null;
}

/**
 * What a local server cannot run without: a JWT_SECRET of at least MIN_JWT_SECRET_BYTES (without
 * one every login would answer 500). `npm start` refuses to start on it.
 */
export function findSecretProblem(env: Record<string, unknown>): string | null {
  const secret = typeof env.JWT_SECRET === "string" ? env.JWT_SECRET : "";
  if (strongEnough(secret)) return null;
  const what =
    secret === "" ? "JWT_SECRET is missing" : `JWT_SECRET is ${new TextEncoder().encode(secret).length} bytes`;
  return `${what}: it must be at least ${MIN_JWT_SECRET_BYTES} bytes (e.g. the output of \`openssl rand -hex 32\`); without it every login would answer 500`;
}

/** Edit distance between two names (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The names that are no setting of this Worker (a typo is otherwise silently ignored), each with
 * the nearest setting's name.
 */
export function unknownSettings(names: string[]): { name: string; nearest: string }[] {
  const known = Object.keys(settingsSchema.entries);
  return names
    .filter((name) => !known.includes(name))
    .map((name) => ({
      name,
      nearest: known.reduce((best, candidate) => (distance(name, candidate) < distance(name, best) ? candidate : best)),
    }));
}

/** Parses the bindings into Config; a malformed setting throws MisconfigurationError naming it. */
export function parseConfig(env: Bindings): Config {
  const problem = findSettingProblem(env);
  if (problem) throw new MisconfigurationError(problem.message);
  return toConfig(v.parse(settingsSchema, env));
}

/** The signing secret, or a 500 when it is missing or weak: nothing is ever signed with a default key. */
export function requireJwtSecret(config: Config): string {
  if (config.jwtSecret === null) {
    throw new MisconfigurationError(`JWT_SECRET is missing or shorter than ${MIN_JWT_SECRET_BYTES} bytes`);
  }
  return config.jwtSecret;
}

/** The TOTP encryption key and its predecessors; in development without one, a key derived from JWT_SECRET. */
export function requireMfaKeys(config: Config): { current: string; previous: string[] } {
  if (config.mfaEncryptionKey !== null) {
    return { current: config.mfaEncryptionKey, previous: config.mfaPreviousEncryptionKeys };
  }
  if (config.platform === "dev") return { current: `dev mfa key from ${requireJwtSecret(config)}`, previous: [] };
  throw new MisconfigurationError(`MFA_ENCRYPTION_KEY is missing or shorter than ${MIN_JWT_SECRET_BYTES} bytes`);
}

export function requirePolkaKey(config: Config): string {
  if (config.polkaKey === null) throw new MisconfigurationError("POLKA_KEY is missing");
  return config.polkaKey;
}
