// Polka, the payment provider: its webhook's API key, and the upgrade it reports.

import { requirePolkaKey } from "../config";
import { timingSafeEqualStrings } from "../crypto/bytes";
import { setChirpyRed } from "../db/users";
import type { Deps } from "../deps";
import { notFound, POLKA_KEY_REFUSED, USER_NOT_FOUND, unauthorized } from "../errors";
import { emitThrottledSecurityEvent } from "../events";

/**
 * Checks Polka's API key in constant time (both sides hashed first, so neither the position of
 * a difference nor the key's length leaks); 500 when POLKA_KEY is not configured.
 */
export async function verifyPolkaKey(deps: Deps, presented: string | null, ip: string | null): Promise<void> {
  const expected = requirePolkaKey(deps.config);
  if (presented === null || !(await timingSafeEqualStrings(presented, expected))) {
    emitThrottledSecurityEvent({ event: "webhook.rejected", reason: "bad_key", ip }, deps.clock.now());
    throw unauthorized(POLKA_KEY_REFUSED, "ApiKey");
  }
}

/** Polka's user.upgraded event: marks the user Chirpy Red; 404 for an unknown user. */
export async function upgradeToChirpyRed(deps: Deps, userId: string, ip: string | null): Promise<void> {
  const updated = await setChirpyRed(deps.db, userId, new Date(deps.clock.now()));
  if (!updated) {
    emitThrottledSecurityEvent({ event: "webhook.rejected", reason: "unknown_user", ip }, deps.clock.now());
    throw notFound(USER_NOT_FOUND);
  }
}
