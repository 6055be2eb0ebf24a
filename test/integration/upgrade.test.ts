// Upgrading a running deployment: refresh tokens issued before sessions existed keep working
// (migration 0001 gives each one a session); access tokens without sid/kid get 401.

import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/crypto/bytes";
import { hashPassword } from "../../src/crypto/password";
import { appWith, postChirp, refresh } from "../helpers";

describe("migrating a live database to sessions", () => {
  it("keeps pre-existing refresh tokens working and rejects pre-existing access tokens", async () => {
    const db = env.UPGRADE_DB;
    const [first, ...rest] = env.TEST_MIGRATIONS;
    expect(first.name).toBe("0000_init.sql");
    await applyD1Migrations(db, [first]);

    // Rows as the first release wrote them.
    const userId = crypto.randomUUID();
    const now = Date.now();
    const live = "a1".repeat(32);
    const revoked = "b2".repeat(32);
    await db.batch([
      db
        .prepare("insert into users (id, created_at, updated_at, email, hashed_password) values (?, ?, ?, ?, ?)")
        .bind(userId, now, now, "legacy@example.com", await hashPassword("123456")),
      db
        .prepare(
          "insert into refresh_tokens (token_hash, created_at, updated_at, user_id, expires_at, revoked_at) values (?, ?, ?, ?, ?, null)",
        )
        .bind(await sha256Hex(live), now, now, userId, now + 86_400_000),
      db
        .prepare(
          "insert into refresh_tokens (token_hash, created_at, updated_at, user_id, expires_at, revoked_at) values (?, ?, ?, ?, ?, ?)",
        )
        .bind(await sha256Hex(revoked), now, now, userId, now + 86_400_000, now),
    ]);
    const legacyAccessToken = await sign(
      { iss: "chirpy-access", sub: userId, iat: Math.floor(now / 1000), exp: Math.floor(now / 1000) + 3600 },
      env.JWT_SECRET,
      "HS256",
    );

    await applyD1Migrations(db, rest);

    const sessions = await db
      .prepare("select * from sessions where user_id = ?")
      .bind(userId)
      .all<{ id: string; revoked_at: number | null }>();
    expect(sessions.results).toHaveLength(2);
    for (const session of sessions.results)
      expect(session.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(sessions.results.filter((s) => s.revoked_at === now)).toHaveLength(1);

    const app = appWith({}, { DB: db });
    const refreshed = await refresh(app, live);
    expect(refreshed.status).toBe(200);
    const { token } = await refreshed.json<{ token: string }>();
    expect((await postChirp(app, token, "after the upgrade")).status).toBe(201);

    expect((await refresh(app, revoked)).status).toBe(401);
    expect((await postChirp(app, legacyAccessToken, "old access token")).status).toBe(401);
  });
});
