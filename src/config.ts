// Parses the Worker's bindings once into a typed Config. Code reads Config, never env.X.
// A missing or weak secret does not throw here: it is recorded so only the routes that
// need it fail (closed), with a log line naming the problem.

import { MisconfigurationError } from "./errors";

const MIN_JWT_SECRET_BYTES = 32;

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

export interface Bindings {
  DB: D1Database;
  PLATFORM?: string;
  JWT_ISSUER?: string;
  ACCESS_TOKEN_TTL_SECONDS?: string;
  REFRESH_TOKEN_TTL_SECONDS?: string;
  REFRESH_TOKEN_ROTATION?: string;
  REFRESH_TOKEN_REUSE_GRACE_SECONDS?: string;
  LOGIN_MAX_FAILURES_PER_EMAIL?: string;
  LOGIN_MAX_FAILURES_PER_IP?: string;
  LOGIN_FAILURE_WINDOW_SECONDS?: string;
  SIGNUP_MAX_PER_IP?: string;
  SIGNUP_WINDOW_SECONDS?: string;
  SESSION_TOUCH_INTERVAL_SECONDS?: string;
  CORS_ORIGINS?: string;
  JWT_SECRET?: string;
  JWT_PREVIOUS_SECRETS?: string;
  POLKA_KEY?: string;
}

function integer(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new MisconfigurationError(`${name} must be an integer >= ${min}`);
  }
  return value;
}

function onOff(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === "" || raw === "off") return false;
  if (raw === "on") return true;
  throw new MisconfigurationError(`${name} must be "on" or "off"`);
}

const list = (raw: string | undefined) =>
  (raw ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");

const strongEnough = (secret: string) => new TextEncoder().encode(secret).length >= MIN_JWT_SECRET_BYTES;

export function parseConfig(env: Bindings): Config {
  const secret = env.JWT_SECRET ?? "";
  return {
    platform: env.PLATFORM || "production",
    jwtIssuer: env.JWT_ISSUER || "chirpy-access",
    accessTokenTtlSeconds: integer("ACCESS_TOKEN_TTL_SECONDS", env.ACCESS_TOKEN_TTL_SECONDS, 3600),
    refreshTokenTtlSeconds: integer("REFRESH_TOKEN_TTL_SECONDS", env.REFRESH_TOKEN_TTL_SECONDS, 5_184_000),
    jwtSecret: strongEnough(secret) ? secret : null,
    // A weak previous secret is dropped rather than trusted.
    jwtPreviousSecrets: list(env.JWT_PREVIOUS_SECRETS).filter(strongEnough),
    polkaKey: env.POLKA_KEY ? env.POLKA_KEY : null,
    refreshTokenRotation: onOff("REFRESH_TOKEN_ROTATION", env.REFRESH_TOKEN_ROTATION),
    refreshTokenReuseGraceSeconds: integer(
      "REFRESH_TOKEN_REUSE_GRACE_SECONDS",
      env.REFRESH_TOKEN_REUSE_GRACE_SECONDS,
      10,
      0,
    ),
    loginMaxFailuresPerEmail: integer("LOGIN_MAX_FAILURES_PER_EMAIL", env.LOGIN_MAX_FAILURES_PER_EMAIL, 5),
    loginMaxFailuresPerIp: integer("LOGIN_MAX_FAILURES_PER_IP", env.LOGIN_MAX_FAILURES_PER_IP, 50),
    loginFailureWindowSeconds: integer("LOGIN_FAILURE_WINDOW_SECONDS", env.LOGIN_FAILURE_WINDOW_SECONDS, 900),
    signupMaxPerIp: integer("SIGNUP_MAX_PER_IP", env.SIGNUP_MAX_PER_IP, 30),
    signupWindowSeconds: integer("SIGNUP_WINDOW_SECONDS", env.SIGNUP_WINDOW_SECONDS, 3600),
    sessionTouchIntervalSeconds: integer("SESSION_TOUCH_INTERVAL_SECONDS", env.SESSION_TOUCH_INTERVAL_SECONDS, 300, 0),
    corsOrigins: list(env.CORS_ORIGINS),
  };
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
