import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { appWith, fixedClock, json, newUser, refresh, revoke, rowCount } from "../helpers";

const DAY_MS = 24 * 3600 * 1000;
const runCron = (scheduledTime: number) =>
  worker.scheduled(createScheduledController({ scheduledTime, cron: "17 3 * * *" }), env);
const tokenCount = (userId: string) => rowCount("refresh_tokens", "user_id = ?", userId);
const sessionCount = (userId: string) => rowCount("sessions", "user_id = ?", userId);

describe("the housekeeping cron (scheduled handler)", () => {
  it("deletes sessions and tokens revoked more than 7 days ago, and keeps recent ones", async () => {
    const clock = fixedClock(Date.UTC(2031, 0, 1));
    const app = appWith({ clock });
    const [old, recent] = [await newUser(app), await newUser(app)];
    await revoke(app, old.refreshToken);
    clock.advance(6 * 24 * 3600);
    await revoke(app, recent.refreshToken);

    await runCron(clock.now() + DAY_MS + 1000); // old: 7 days + 1 s ago; recent: 1 day ago
    expect([await sessionCount(old.id), await tokenCount(old.id)]).toEqual([0, 0]);
    expect([await sessionCount(recent.id), await tokenCount(recent.id)]).toEqual([1, 1]);
  });

  it("deletes sessions that expired more than 7 days ago", async () => {
    const clock = fixedClock(Date.UTC(2032, 0, 1));
    const user = await newUser(appWith({ clock }));
    await runCron(clock.now() + 66 * DAY_MS);
    expect(await sessionCount(user.id)).toBe(1);
    await runCron(clock.now() + 68 * DAY_MS);
    expect(await sessionCount(user.id)).toBe(0);
  });

  it("keeps consumed tokens of live families, which reuse detection needs", async () => {
    const clock = fixedClock(Date.UTC(2033, 0, 1));
    const app = appWith({ clock }, { REFRESH_TOKEN_ROTATION: "on" });
    const user = await newUser(app);
    const { refresh_token } = await (await refresh(app, user.refreshToken)).json<{
      refresh_token: string;
    }>();
    await runCron(clock.now() + 30 * DAY_MS);
    expect(await tokenCount(user.id)).toBe(2);
    // And detection still works: the old token replayed ends the family.
    clock.advance(30 * 24 * 3600);
    expect((await refresh(app, user.refreshToken)).status).toBe(401);
    expect((await refresh(app, refresh_token)).status).toBe(401);
  });

  it("deletes login-attempt counters whose window has passed", async () => {
    const clock = fixedClock(Date.UTC(2034, 0, 1));
    const app = appWith({ clock });
    await app("/api/login", json({ email: "counted@example.com", password: "wrong" }));
    const count = () => rowCount("login_attempts", "window_start = ?", clock.now());
    expect(await count()).toBeGreaterThan(0);
    await runCron(clock.now() + 14 * 60 * 1000);
    expect(await count()).toBeGreaterThan(0);
    await runCron(clock.now() + 16 * 60 * 1000);
    expect(await count()).toBe(0);
  });
});
