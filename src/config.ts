// Every setting, declared once: one valibot schema over the Worker's environment gives each
// variable its type, default and rule, and parses it into the typed Config the code reads (never
// env.X). Adding a setting is one entry here (plus its README row, checked by a test).
// A missing or weak secret does not throw here: it is recorded so only the routes that need it
// fail (closed), with a log line naming the problem. A malformed setting is a misconfiguration.

import * as v from "valibot";
import { MisconfigurationError } from "./errors";

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

const strongEnough = (secret: string) => new TextEncoder().encode(secret).length >= MIN_JWT_SECRET_BYTES;

/** The settings: environment variable → type, default, rule. Secrets are the last three. */
export const settingsSchema = v.object({
  /** "dev" enables POST /admin/reset; anything else (the default) does not. */
  PLATFORM: text("production"),
  JWT_ISSUER: text("chirpy-access"),
  ACCESS_TOKEN_TTL_SECONDS: integer(3600),
  REFRESH_TOKEN_TTL_SECONDS: integer(5_184_000),
  REFRESH_TOKEN_ROTATION: onOff,
  REFRESH_TOKEN_REUSE_GRACE_SECONDS: integer(10, 0),
  LOGIN_MAX_FAILURES_PER_EMAIL: integer(5),
  LOGIN_MAX_FAILURES_PER_IP: integer(50),
  LOGIN_FAILURE_WINDOW_SECONDS: integer(900),
  SIGNUP_MAX_PER_IP: integer(30),
  SIGNUP_WINDOW_SECONDS: integer(3600),
  SESSION_TOUCH_INTERVAL_SECONDS: integer(300, 0),
  CORS_ORIGINS: list,
  /** Null when missing or shorter than MIN_JWT_SECRET_BYTES: nothing is signed with a weak key. */
  JWT_SECRET: v.pipe(
    v.optional(v.string(), ""),
    v.transform((secret) => (strongEnough(secret) ? secret : null)),
  ),
  /** A weak previous secret is dropped rather than trusted. */
  JWT_PREVIOUS_SECRETS: v.pipe(
    list,
    v.transform((secrets) => secrets.filter(strongEnough)),
  ),
  POLKA_KEY: v.pipe(
    v.optional(v.string(), ""),
    v.transform((key) => key || null),
  ),
});

type Settings = v.InferOutput<typeof settingsSchema>;

/** The Worker's bindings: the D1 database and every setting, as the environment gives them. */
export type Bindings = { DB: D1Database } & Partial<Record<keyof typeof settingsSchema.entries, string>>;

export interface Config {
  platform: string;
  jwtIssuer: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Null when JWT_SECRET is missing or shorter than MIN_JWT_SECRET_BYTES. */
  jwtSecret: string | null;
  /** Secrets that still verify (JWT_PREVIOUS_SECRETS), so a rotation logs nobody out. */
  jwtPreviousSecrets: string[];
  /** Null when POLKA_KEY is missing or empty. */
  polkaKey: string | null;
  refreshTokenRotation: boolean;
  refreshTokenReuseGraceSeconds: number;
  loginMaxFailuresPerEmail: number;
  loginMaxFailuresPerIp: number;
  loginFailureWindowSeconds: number;
  signupMaxPerIp: number;
  signupWindowSeconds: number;
  /** A session's last_used_at is stamped at most once per this many seconds by refreshes. */
  sessionTouchIntervalSeconds: number;
  /** Origins allowed by CORS; empty means CORS is off. */
  corsOrigins: string[];
}

const toConfig = (s: Settings): Config => ({
  platform: s.PLATFORM,
  jwtIssuer: s.JWT_ISSUER,
  accessTokenTtlSeconds: s.ACCESS_TOKEN_TTL_SECONDS,
  refreshTokenTtlSeconds: s.REFRESH_TOKEN_TTL_SECONDS,
  jwtSecret: s.JWT_SECRET,
  jwtPreviousSecrets: s.JWT_PREVIOUS_SECRETS,
  polkaKey: s.POLKA_KEY,
  refreshTokenRotation: s.REFRESH_TOKEN_ROTATION,
  refreshTokenReuseGraceSeconds: s.REFRESH_TOKEN_REUSE_GRACE_SECONDS,
  loginMaxFailuresPerEmail: s.LOGIN_MAX_FAILURES_PER_EMAIL,
  loginMaxFailuresPerIp: s.LOGIN_MAX_FAILURES_PER_IP,
  loginFailureWindowSeconds: s.LOGIN_FAILURE_WINDOW_SECONDS,
  signupMaxPerIp: s.SIGNUP_MAX_PER_IP,
  signupWindowSeconds: s.SIGNUP_WINDOW_SECONDS,
  sessionTouchIntervalSeconds: s.SESSION_TOUCH_INTERVAL_SECONDS,
  corsOrigins: s.CORS_ORIGINS,
});

/** Parses the bindings into Config; a malformed setting throws MisconfigurationError naming it. */
export function parseConfig(env: Bindings): Config {
  const result = v.safeParse(settingsSchema, env);
  if (!result.success) {
    const issue = result.issues[0];
    throw new MisconfigurationError(`${v.getDotPath(issue) ?? "a setting"} ${issue.message}`);
  }
  return toConfig(result.output);
}

/** The signing secret, or a 500 when it is missing or weak: nothing is ever signed with a default key. */
export function requireJwtSecret(config: Config): string {
  if (config.jwtSecret === null) {
    throw new MisconfigurationError(`JWT_SECRET is missing or shorter than ${MIN_JWT_SECRET_BYTES} bytes`);
  }
  return config.jwtSecret;
}

export function requirePolkaKey(config: Config): string {
  if (config.polkaKey === null) throw new MisconfigurationError("POLKA_KEY is missing");
  return config.polkaKey;
}
