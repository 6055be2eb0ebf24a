// Threat: an attacker holding old (spent) refresh tokens — from a log, a backup, a stolen device —
// and a read of D1 (an export, a Time Travel restore, a read-only injection). Rotation derives
// each successor from a nonce stored in D1; the derivation must also need a key that lives only
// in the Worker's secrets, or the attacker walks the chain to the live token.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { errorBody, INVALID_REFRESH_TOKEN } from "../../src/errors";
import { appWith, type Fetcher, fixedClock, newUser, ROTATION_SECRETS, refresh } from "../helpers";

const { old: OLD, new: NEW } = ROTATION_SECRETS;

const refreshOk = async (app: Fetcher, token: string) => {
  const res = await refresh(app, token);
  expect(res.status).toBe(200);
  return res.json<{ token: string; refresh_token: string }>();
};

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
const fromHex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
async function hmacHex(key: Uint8Array, message: string) {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return hex(await crypto.subtle.sign("HMAC", k, new TextEncoder().encode(message)));
}

/** Every token an attacker can compute from the rows and the spent tokens without our secrets. */
async function candidatesFrom(rows: { rotation_nonce: string | null }[], spent: string[]) {
  const candidates = new Set<string>();
  for (const row of rows) {
    if (!row.rotation_nonce) continue;
    const nonces = [row.rotation_nonce, ...(row.rotation_nonce.match(/[0-9a-f]{64}/g) ?? [])];
    for (const nonce of nonces) {
      for (const token of spent) {
        const keyBytes = /^[0-9a-f]{64}$/.test(nonce) ? fromHex(nonce) : new TextEncoder().encode(nonce);
        candidates.add(await hmacHex(keyBytes, token)); // HMAC(nonce, presented): the old scheme
        candidates.add(await hmacHex(keyBytes, `${nonce}.${token}`));
        candidates.add(await hmacHex(new TextEncoder().encode(token), nonce));
      }
    }
  }
  return candidates;
}

describe("walking a rotated chain with a copy of D1 and every spent token", () => {
  it("derives no live token: every candidate is refused, the real one still works", async () => {
    const clock = fixedClock();
    const app = appWith({ clock }, { REFRESH_TOKEN_ROTATION: "on" });
    const user = await newUser(app);
    const spent: string[] = [];
    let live = user.refreshToken;
    for (let i = 0; i < 4; i++) {
      clock.advance(60);
      spent.push(live);
      live = (await refreshOk(app, live)).refresh_token;
    }

    const rows = await env.DB.prepare("select * from refresh_tokens where user_id = ?")
      .bind(user.id)
      .all<{ rotation_nonce: string | null; token_hash: string }>();
    expect(rows.results).toHaveLength(5);
    const candidates = await candidatesFrom(rows.results, spent);
    expect(candidates.size).toBeGreaterThan(0);
    expect(candidates.has(live)).toBe(false);
    for (const candidate of candidates) {
      const res = await refresh(app, candidate);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual(errorBody(INVALID_REFRESH_TOKEN));
    }
    // The attacker's tries ended nothing: the live token still rotates.
    expect((await refreshOk(app, live)).refresh_token).toMatch(/^[0-9a-f]{64}$/);
  });

  it("stores no value that works as a token: no nonce, hash or stamp refreshes", async () => {
    const clock = fixedClock();
    const app = appWith({ clock }, { REFRESH_TOKEN_ROTATION: "on" });
    const user = await newUser(app);
    await refreshOk(app, user.refreshToken);
    const rows = await env.DB.prepare("select token_hash, rotation_nonce from refresh_tokens where user_id = ?")
      .bind(user.id)
      .all<{ token_hash: string; rotation_nonce: string | null }>();
    const stored = rows.results.flatMap((row) => [
      row.token_hash,
      ...(row.rotation_nonce ? [row.rotation_nonce, ...(row.rotation_nonce.match(/[0-9a-f]{64}/g) ?? [])] : []),
    ]);
    expect(stored.length).toBeGreaterThanOrEqual(3);
    for (const value of stored) expect((await refresh(app, value)).status).toBe(401);
  });
});

describe("rotation across a signing-key rotation", () => {
  it("keeps rotating tokens minted before the rotation, with and without the previous secret", async () => {
    const clock = fixedClock();
    const before = appWith({ clock }, { REFRESH_TOKEN_ROTATION: "on", JWT_SECRET: OLD });
    const first = await newUser(before);
    const second = await newUser(before);

    const during = appWith({ clock }, { REFRESH_TOKEN_ROTATION: "on", JWT_SECRET: NEW, JWT_PREVIOUS_SECRETS: OLD });
    const next = await refreshOk(during, first.refreshToken);
    clock.advance(60);
    expect((await refreshOk(during, next.refresh_token)).refresh_token).toMatch(/^[0-9a-f]{64}$/);

    const after = appWith({ clock }, { REFRESH_TOKEN_ROTATION: "on", JWT_SECRET: NEW });
    const rotated = await refreshOk(after, second.refreshToken);
    clock.advance(60);
    expect((await refreshOk(after, rotated.refresh_token)).refresh_token).toMatch(/^[0-9a-f]{64}$/);
  });

  it("hands a retry inside the grace window the same successor after the key rotated", async () => {
    const clock = fixedClock();
    const before = appWith({ clock }, { REFRESH_TOKEN_ROTATION: "on", JWT_SECRET: OLD });
    const user = await newUser(before);
    const original = await refreshOk(before, user.refreshToken);

    clock.advance(5); // inside the 10 s grace window, now under the new key
    const during = appWith({ clock }, { REFRESH_TOKEN_ROTATION: "on", JWT_SECRET: NEW, JWT_PREVIOUS_SECRETS: OLD });
    const retry = await refreshOk(during, user.refreshToken);
    expect(retry.refresh_token).toBe(original.refresh_token);

    // With the old key gone, the successor cannot be derived again: the retry is refused, and the
    // family stays live (this is not reuse after the window).
    const after = appWith({ clock }, { REFRESH_TOKEN_ROTATION: "on", JWT_SECRET: NEW });
    const refused = await refresh(after, user.refreshToken);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual(errorBody(INVALID_REFRESH_TOKEN));
    expect((await refreshOk(after, original.refresh_token)).refresh_token).toMatch(/^[0-9a-f]{64}$/);
  });
});
