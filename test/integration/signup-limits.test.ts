// Threat: sign-up as an unauthenticated PBKDF2 oracle (each request costs a full hash) and as a
// bulk account factory. Sign-ups are counted per client network before any hashing.

import { describe, expect, it } from "vitest";
import { EMAIL_TAKEN, errorBody, TOO_MANY_SIGNUPS } from "../../src/errors";
import { recordingD1 } from "../d1";
import { appWith, type Fetcher, fixedClock, json, PASSWORD, rowCount, uniqueEmail } from "../helpers";

const signUp = (app: Fetcher, ip: string, email = uniqueEmail("signup")) =>
  app("/api/users", json({ email, password: PASSWORD }, { "CF-Connecting-IP": ip }));
const userCount = () => rowCount("users");

describe("POST /api/users per-network limit", () => {
  it("answers 429 with Retry-After past SIGNUP_MAX_PER_IP, creating nothing, until the window passes", async () => {
    const clock = fixedClock(Date.UTC(2030, 0, 1));
    const app = appWith({ clock }, { SIGNUP_MAX_PER_IP: "3", SIGNUP_WINDOW_SECONDS: "3600" });
    for (let i = 0; i < 3; i++) expect((await signUp(app, "198.51.100.7")).status).toBe(201);
    clock.advance(600);
    const before = await userCount();
    const limited = await signUp(app, "198.51.100.7");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe(String(3600 - 600));
    expect(await limited.json()).toEqual(errorBody(TOO_MANY_SIGNUPS));
    expect(await userCount()).toBe(before);

    // Another IPv4 address is another client.
    expect((await signUp(app, "198.51.100.8")).status).toBe(201);
    clock.advance(3000);
    expect((await signUp(app, "198.51.100.7")).status).toBe(201);
  });

  it("keys IPv6 clients on their /64: rotating the interface id does not escape the limit", async () => {
    const app = appWith({ clock: fixedClock(Date.UTC(2030, 1, 1)) }, { SIGNUP_MAX_PER_IP: "3" });
    for (let i = 1; i <= 3; i++) expect((await signUp(app, `2001:db8:aa:1::${i}`)).status).toBe(201);
    const limited = await signUp(app, "2001:db8:aa:1:ffff:1234:5678:9abc");
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual(errorBody(TOO_MANY_SIGNUPS));
    expect((await signUp(app, "2001:db8:aa:2::1")).status).toBe(201);
  });

  it("counts a taken email too, and answers it 409 without hashing (no insert is attempted)", async () => {
    const seen = new Set<string>();
    const app = appWith({ clock: fixedClock(Date.UTC(2030, 2, 1)) }, { SIGNUP_MAX_PER_IP: "2" });
    const email = uniqueEmail("taken");
    expect((await signUp(app, "192.0.2.44", email)).status).toBe(201);

    const recorded = appWith(
      { clock: fixedClock(Date.UTC(2030, 2, 1)) },
      {
        SIGNUP_MAX_PER_IP: "2",
        DB: recordingD1(seen),
      },
    );
    const taken = await signUp(recorded, "192.0.2.44", email.toUpperCase());
    expect(taken.status).toBe(409);
    expect(await taken.json()).toEqual(errorBody(EMAIL_TAKEN));
    expect([...seen].some((sql) => /^insert into "users"/.test(sql))).toBe(false);
    // The 409 was the second sign-up from this network: the third is refused.
    expect((await signUp(app, "192.0.2.44")).status).toBe(429);
  });

  it("does not limit requests without a client address (local tools)", async () => {
    const app = appWith({}, { SIGNUP_MAX_PER_IP: "1" });
    for (let i = 0; i < 3; i++) {
      expect((await app("/api/users", json({ email: uniqueEmail(), password: PASSWORD }))).status).toBe(201);
    }
  });
});
