// Threat model: not an attacker but concurrency. Two tabs or processes refreshing at once must
// not log the user out (supabase/auth-js#213; a Better Auth family revoked by two refreshes
// 13 ms apart on D1). The consume is one conditional UPDATE inside one D1 batch.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { appWith, fixedClock, newUser, postChirp, refresh } from "../helpers";

describe("concurrent refreshes with rotation on", () => {
  it("50 concurrent refreshes of one token all succeed with one and the same successor", async () => {
    const clock = fixedClock();
    const app = appWith({ clock }, { REFRESH_TOKEN_ROTATION: "on" });
    const user = await newUser(app);
    const responses = await Promise.all(Array.from({ length: 50 }, () => refresh(app, user.refreshToken)));
    expect(responses.map((res) => res.status)).toEqual(Array(50).fill(200));
    const bodies = await Promise.all(responses.map((res) => res.json<{ token: string; refresh_token: string }>()));
    const successors = new Set(bodies.map((body) => body.refresh_token));
    expect(successors.size).toBe(1);

    const rows = await env.DB.prepare("select consumed_at from refresh_tokens where user_id = ?")
      .bind(user.id)
      .all<{ consumed_at: number | null }>();
    expect(rows.results).toHaveLength(2); // the original (consumed) and exactly one successor
    expect(rows.results.filter((row) => row.consumed_at === null)).toHaveLength(1);

    const [successor] = successors;
    for (const body of bodies.slice(0, 5)) expect((await postChirp(app, body.token, "ok")).status).toBe(201);
    clock.advance(11);
    const next = await refresh(app, successor);
    expect(next.status).toBe(200);
  });

  it("concurrent refreshes without rotation all succeed and leave the token usable", async () => {
    const app = appWith({});
    const user = await newUser(app);
    const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(app, user.refreshToken)));
    expect(responses.map((res) => res.status)).toEqual(Array(20).fill(200));
    for (const res of responses) expect(Object.keys(await res.json())).toEqual(["token"]);
  });
});
