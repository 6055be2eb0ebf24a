// Operations endpoints' rules: the dev-only reset, the health check, and the Polka webhook's key.

import { requirePolkaKey } from "../config";
import type { Deps } from "../context";
import { timingSafeEqualStrings } from "../crypto/bytes";
import { deleteAllUsers, pingDatabase } from "../db/users";
import { AppError, forbidden, unauthorized } from "../errors";
import { emitSecurityEvent } from "./security-events";

/** Deletes every user (tokens, sessions and chirps cascade); only when PLATFORM=dev. */
export async function resetAllUsers(deps: Deps): Promise<number> {
  if (deps.config.platform !== "dev") throw forbidden("Reset is only allowed when PLATFORM=dev");
  return deleteAllUsers(deps.db);
}

/** 503 when D1 does not answer. */
export async function checkDatabase(deps: Deps): Promise<void> {
  try {
    await pingDatabase(deps.db);
  } catch {
    throw new AppError(503, "Database unavailable");
  }
}

/**
 * Checks Polka's API key in constant time (both sides hashed first, so neither the position of
 * a difference nor the key's length leaks); 500 when POLKA_KEY is not configured.
 */
export async function verifyPolkaKey(deps: Deps, presented: string | null): Promise<void> {
  const expected = requirePolkaKey(deps.config);
  if (presented === null || !(await timingSafeEqualStrings(presented, expected))) {
    emitSecurityEvent({ event: "webhook.rejected", reason: "bad_key" });
    throw unauthorized("Missing or invalid API key", "ApiKey");
  }
}
