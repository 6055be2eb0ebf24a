// Parses the Worker's bindings once into a typed Config. Code reads Config, never env.X.
// A missing or weak secret does not throw here: it is recorded so only the routes that
// need it fail (closed), with a log line naming the problem.

import { MisconfigurationError } from "./errors";

export const MIN_JWT_SECRET_BYTES = 32;

export interface Config {
  platform: string;
  jwtIssuer: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Null when JWT_SECRET is missing or shorter than MIN_JWT_SECRET_BYTES. */
  jwtSecret: string | null;
  /** Null when POLKA_KEY is missing or empty. */
  polkaKey: string | null;
}

export interface Bindings {
  DB: D1Database;
  PLATFORM?: string;
  JWT_ISSUER?: string;
  ACCESS_TOKEN_TTL_SECONDS?: string;
  REFRESH_TOKEN_TTL_SECONDS?: string;
  JWT_SECRET?: string;
  POLKA_KEY?: string;
}

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new MisconfigurationError(`${name} must be a positive integer`);
  }
  return value;
}

export function parseConfig(env: Bindings): Config {
  const secret = env.JWT_SECRET ?? "";
  return {
    platform: env.PLATFORM || "production",
    jwtIssuer: env.JWT_ISSUER || "chirpy-access",
    accessTokenTtlSeconds: positiveInt("ACCESS_TOKEN_TTL_SECONDS", env.ACCESS_TOKEN_TTL_SECONDS, 3600),
    refreshTokenTtlSeconds: positiveInt("REFRESH_TOKEN_TTL_SECONDS", env.REFRESH_TOKEN_TTL_SECONDS, 5_184_000),
    jwtSecret: new TextEncoder().encode(secret).length >= MIN_JWT_SECRET_BYTES ? secret : null,
    polkaKey: env.POLKA_KEY ? env.POLKA_KEY : null,
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
