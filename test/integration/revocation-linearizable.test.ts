// Once POST /api/revoke has answered 204, no refresh that starts afterwards succeeds, whatever
// the interleaving with refreshes already in flight (with and without rotation).

import { describe, expect, it } from "vitest";
import { appWith, type Fetcher, newUser, refresh, revoke } from "../helpers";

interface Outcome {
  startedAfterRevoke: boolean;
  status: number;
}

/** One round: `total` refreshes launched one per tick; the revoke launched at tick `revokeAt`. */
async function round(app: Fetcher, total: number, revokeAt: number) {
  const user = await newUser(app);
  let revoked = false;
  const outcomes: Promise<Outcome>[] = [];
  let revoking: Promise<void> | undefined;
  for (let i = 0; i < total; i++) {
    if (i === revokeAt) {
      revoking = revoke(app, user.refreshToken).then((res) => {
        expect(res.status).toBe(204);
        revoked = true;
      });
    }
    const startedAfterRevoke = revoked;
    outcomes.push(
      refresh(app, user.refreshToken).then((res) => ({
        startedAfterRevoke,
        status: res.status,
      })),
    );
    // Let responses (including the revoke's) land between launches.
    await new Promise((resolve) => setTimeout(resolve, i % 3));
  }
  await revoking;
  return Promise.all(outcomes);
}

describe("revocation is linearizable", () => {
  for (const rotation of ["off", "on"]) {
    it(`no refresh started after a 204 revoke succeeds (rotation ${rotation}, 20 interleavings)`, async () => {
      const app = appWith({}, { REFRESH_TOKEN_ROTATION: rotation });
      let after = 0;
      let before = 0;
      for (let r = 0; r < 20; r++) {
        const outcomes = await round(app, 24, 2 + ((r * 7) % 18));
        for (const outcome of outcomes) {
          if (outcome.startedAfterRevoke) {
            after++;
            expect(outcome.status).toBe(401);
          } else {
            before++;
            expect([200, 401]).toContain(outcome.status);
          }
        }
      }
      // The rounds really interleaved: refreshes ran on both sides of the revoke.
      expect(after).toBeGreaterThan(50);
      expect(before).toBeGreaterThan(50);
    });
  }
});
