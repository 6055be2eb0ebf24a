import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { seedAccountTokens, seedCounters, seedKnownNetworks, seedSessions, seedUsers } from "../../bench/seed.mjs";
import { buildDeps } from "../../src/deps";
import worker from "../../src/index";
import { runHousekeeping } from "../../src/ops/service";
import { appWith, fixedClock, json, newUser, refresh, revoke, rowCount } from "../helpers";

const DAY_MS = 24 * 3600 * 1000;
const runCron = (scheduledTime: number) =>
  worker.scheduled(createScheduledController({ scheduledTime, cron: "17 * * * *" }), env);
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

describe("housekeeping in bounded steps", () => {
  const T = Date.UTC(2035, 5, 1);
  const DAY = DAY_MS;
  const ENDED = T - 8 * DAY; // past the 7-day retention
  const deps = () => buildDeps(env, { now: () => T });
  const tables = [
    "sessions",
    "refresh_tokens",
    "login_attempts",
    "known_networks",
    "account_tokens",
    "webauthn_challenges",
    "mfa_tokens",
  ] as const;
  const counts = async () => Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await rowCount(t)])));
  const live = async () => ({
    sessions: await rowCount("sessions", "id like 'hk-live-%' or id like 'hk-recent-%'"),
    tokens: await rowCount("refresh_tokens", "session_id like 'hk-live-%' or session_id like 'hk-recent-%'"),
    counters: await rowCount("login_attempts", "key like '%:hk-fresh-%'"),
    networks: await rowCount("known_networks", "network like 'ip4:hk-live.%'"),
    mailTokens: await rowCount("account_tokens", "purpose = 'email_verification'"),
  });

  // One file's D1 is shared by its tests: this backlog is seeded once, then drained by the test below.
  async function seedBacklog() {
    const db = env.DB;
    await seedUsers(db, { prefix: "hk", count: 600, atMs: T - 100 * DAY });
    const users = 600;
    await seedSessions(db, {
      prefix: "hk",
      tag: "hk-expired",
      users,
      count: 700,
      tokensEach: 3,
      createdMs: T - 70 * DAY,
      expiresMs: ENDED,
    });
    await seedSessions(db, {
      prefix: "hk",
      tag: "hk-revoked",
      users,
      count: 300,
      createdMs: T - 20 * DAY,
      expiresMs: T + 40 * DAY,
      revokedMs: ENDED,
    });
    // A session that rotated for weeks: one ended session with 250 tokens.
    await seedSessions(db, {
      prefix: "hk",
      tag: "hk-chain",
      users,
      count: 1,
      tokensEach: 250,
      createdMs: T - 70 * DAY,
      expiresMs: ENDED,
    });
    await seedSessions(db, {
      prefix: "hk",
      tag: "hk-live",
      users,
      count: 200,
      tokensEach: 2,
      createdMs: T - DAY,
      expiresMs: T + 59 * DAY,
    });
    await seedSessions(db, {
      prefix: "hk",
      tag: "hk-recent",
      users,
      count: 100,
      createdMs: T - 9 * DAY,
      expiresMs: T + 50 * DAY,
      revokedMs: T - DAY,
    });
    await seedCounters(db, { kind: "ip", tag: "hk-stale", count: 1100, windowStartMs: T - 3600_000 });
    await seedCounters(db, { kind: "ip", tag: "hk-fresh", count: 50, windowStartMs: T - 60_000 });
    // "reset" and "reset-ip" are different ranges ("reset:" … "reset;"), with a 1 h window each.
    await seedCounters(db, { kind: "reset-ip", tag: "hk-stale", count: 30, windowStartMs: T - 2 * 3600_000 });
    await seedCounters(db, { kind: "reset", tag: "hk-fresh", count: 20, windowStartMs: T - 1800_000 });
    await seedKnownNetworks(db, { prefix: "hk", tag: "hk-stale", users, count: 600, atMs: T - 31 * DAY });
    await seedKnownNetworks(db, { prefix: "hk", tag: "hk-live", users, count: 100, atMs: T - DAY });
    await seedAccountTokens(db, { prefix: "hk", count: 600, expiresMs: ENDED });
    await seedAccountTokens(db, { prefix: "hk", count: 50, purpose: "email_verification", expiresMs: T + 3600_000 });
  }

  it("drain a backlog larger than one step over several runs, report what each deleted, and never touch a live row", async () => {
    await seedBacklog();
    const liveBefore = await live();
    expect(liveBefore).toEqual({ sessions: 300, tokens: 500, counters: 70, networks: 100, mailTokens: 50 });
    // One step per run (no time left after the first step), 100 rows per statement.
    const budget = { rowsPerStatement: 100, timeBudgetMs: 0, now: () => 0 };
    let runs = 0;
    let finished = false;
    while (!finished && runs < 100) {
      const before = await counts();
      const run = await runHousekeeping(deps(), budget);
      const after = await counts();
      runs++;
      finished = run.finished;
      expect(run.steps).toBe(1);
      // What a run reports is exactly what went: no cascade deleted rows behind a statement's back.
      expect({
        sessions: before.sessions - after.sessions,
        refreshTokens: before.refresh_tokens - after.refresh_tokens,
        loginAttempts: before.login_attempts - after.login_attempts,
        knownNetworks: before.known_networks - after.known_networks,
        accountTokens: before.account_tokens - after.account_tokens,
        webauthnChallenges: before.webauthn_challenges - after.webauthn_challenges,
        mfaTokens: before.mfa_tokens - after.mfa_tokens,
      }).toEqual(run.deleted);
      // Each statement deleted at most 100 rows: two sweeps each for sessions and their tokens.
      expect(run.deleted.sessions).toBeLessThanOrEqual(200);
      expect(run.deleted.refreshTokens).toBeLessThanOrEqual(200);
      expect(run.deleted.knownNetworks).toBeLessThanOrEqual(100);
      expect(run.deleted.accountTokens).toBeLessThanOrEqual(100);
      expect(await live()).toEqual(liveBefore);
    }
    expect(finished).toBe(true);
    // 2,100 + 300 + 250 tokens of ended sessions at ≤ 200 a step (two sweeps) take 14 runs at least.
    expect(runs).toBeGreaterThanOrEqual(14);
    expect(await counts()).toEqual({
      sessions: 300,
      refresh_tokens: 500,
      login_attempts: 70,
      known_networks: 100,
      account_tokens: 50,
      webauthn_challenges: 0,
      mfa_tokens: 0,
    });
  });

  it("stop when the time budget is spent, leaving the rest for the next run", async () => {
    const db = env.DB;
    await seedUsers(db, { prefix: "hk2", count: 10, atMs: T - 100 * DAY });
    await seedCounters(db, { kind: "login", tag: "hk2", count: 1000, windowStartMs: T - 3600_000 });
    let wall = 0;
    // Each step "takes" 4 s of wall time; the budget is 10 s: three steps start, then the run stops.
    const now = () => {
      const reading = wall;
      wall += 4000;
      return reading;
    };
    const budget = { rowsPerStatement: 100, timeBudgetMs: 10_000, now };
    const first = await runHousekeeping(deps(), budget);
    expect(first).toMatchObject({ steps: 3, finished: false });
    expect(first.deleted.loginAttempts).toBe(300);
    expect(await rowCount("login_attempts", "key like 'login:hk2-%'")).toBe(700);
  });

  it("the cron drains a backlog of several steps in one run when time allows", async () => {
    const db = env.DB;
    await seedUsers(db, { prefix: "hk3", count: 10, atMs: T - 100 * DAY });
    await seedCounters(db, { kind: "signup", tag: "hk3", count: 1200, windowStartMs: T - 2 * 3600_000 });
    await runCron(T);
    expect(await rowCount("login_attempts", "key like 'signup:hk3-%'")).toBe(0);
  });
});
