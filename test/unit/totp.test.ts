// RFC 6238 Appendix B's test vectors (HMAC-SHA-1, 8 digits, 30-second steps) and the window the
// login accepts: the current step and one either side, no more.

import { describe, expect, it } from "vitest";
import { matchingStep, stepAt, toBase32, totpCode } from "../../src/crypto/totp";

const SECRET = new TextEncoder().encode("12345678901234567890");

describe("TOTP (RFC 6238)", () => {
  it.each([
    [59, "94287082"],
    [1111111109, "07081804"],
    [1111111111, "14050471"],
    [1234567890, "89005924"],
    [2000000000, "69279037"],
    [20000000000, "65353130"],
  ])("at %i s: %s (Appendix B, SHA-1)", async (seconds, code) => {
    expect(await totpCode(SECRET, stepAt(seconds * 1000), 8)).toBe(code);
  });

  it("writes secrets in RFC 4648 base32", () => {
    expect(toBase32(SECRET)).toBe("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    expect(toBase32(new TextEncoder().encode("foobar"))).toBe("MZXW6YTBOI");
  });

  it("accepts the current step and one either side, and refuses two away", async () => {
    const now = 1_800_000_000_000;
    const step = stepAt(now);
    for (const offset of [-1, 0, 1]) {
      expect(await matchingStep(SECRET, await totpCode(SECRET, step + offset), now)).toBe(step + offset);
    }
    for (const offset of [-2, 2])
      expect(await matchingStep(SECRET, await totpCode(SECRET, step + offset), now)).toBeNull();
    expect(await matchingStep(SECRET, "12345", now)).toBeNull();
    expect(await matchingStep(SECRET, "abcdef", now)).toBeNull();
  });
});
