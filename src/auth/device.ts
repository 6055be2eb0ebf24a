// Device cookies (OWASP's "device cookies" against account lock-out): a successful login leaves
// `__Host-chirpy-device` in the browser, a value signed by the server that names the user. A later
// login that carries a valid one for the same user is not subject to the account-wide failure lock
// that strangers can fill from anywhere; it has its own small budget (LOGIN_MAX_FAILURES_PER_DEVICE)
// and its wrong passwords still count for the (email, network) pair.
//
// Value: v1.<kid>.<user id>.<device id>.<mac>, the MAC an HMAC-SHA256 (a key derived from
// JWT_SECRET for this purpose only, named by kid so a secret rotation keeps cookies valid) over the
// user id, the device id and the user's password hash: a new password voids every device cookie.

import { fromBase64Url, randomBytes, timingSafeEqual, toBase64Url } from "../crypto/bytes";
import type { KeyRing, SigningKey } from "../crypto/keys";
import type { User } from "../db/schema";
import type { Deps } from "../deps";

/** The cookie's full name as the browser stores it (Secure, HttpOnly, SameSite=Strict, Path=/). */
export const DEVICE_COOKIE = "__Host-chirpy-device";
/** A year: a device stays known as long as it keeps logging in at least that often. */
export const DEVICE_COOKIE_SECONDS = 365 * 24 * 3600;

/** A device cookie's parts, read by shape only: nothing in it is trusted before isDeviceOf(). */
export interface DeviceClaim {
  kid: string;
  userId: string;
  deviceId: string;
  mac: string;
}

const COOKIE_PATTERN = /^v1\.([A-Za-z0-9_-]{1,64})\.([0-9a-f-]{36})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export function parseDeviceCookie(value: string | null | undefined): DeviceClaim | null {
  const match = value ? COOKIE_PATTERN.exec(value) : null;
  if (!match) return null;
  const [, kid, userId, deviceId, mac] = match;
  return { kid, userId, deviceId, mac };
}

const encoder = new TextEncoder();
const signed = (user: Pick<User, "id" | "hashedPassword">, deviceId: string) =>
  encoder.encode(`chirpy-edge device v1|${user.id}|${deviceId}|${user.hashedPassword}`);

/** Whether the claim was signed by one of our keys for this user, under the user's current password. */
export async function isDeviceOf(keys: KeyRing, claim: DeviceClaim, user: Pick<User, "id" | "hashedPassword">) {
  const key = keys.byKid.get(claim.kid);
  const mac = fromBase64Url(claim.mac);
  if (!key || !mac || claim.userId !== user.id) return false;
  const expected = new Uint8Array(await crypto.subtle.sign("HMAC", key.deviceKey, signed(user, claim.deviceId)));
  return timingSafeEqual(expected, mac);
}

/** A device cookie for the user (the same device id when the login came with a valid one). */
export async function deviceCookieFor(
  deps: Pick<Deps, "random">,
  key: SigningKey,
  user: Pick<User, "id" | "hashedPassword">,
  deviceId: string = toBase64Url((deps.random ?? randomBytes)(16)),
): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key.deviceKey, signed(user, deviceId)));
  return ["v1", key.kid, user.id, deviceId, toBase64Url(mac)].join(".");
}
