import { describe, expect, it } from "vitest";
import {
  DUMMY_PASSWORD_HASH,
  hashPassword,
  PBKDF2_ITERATIONS,
  PBKDF2_MAX_ITERATIONS,
  verifyPassword,
} from "../../src/crypto/password";

describe("password hashing", () => {
  it("stays within the production Workers PBKDF2 cap of 100,000 iterations", () => {
    // Local workerd does not enforce the cap; production throws NotSupportedError above it.
    expect(PBKDF2_ITERATIONS).toBe(100_000);
    expect(PBKDF2_MAX_ITERATIONS).toBeLessThanOrEqual(100_000);
  });

  it("stores a self-describing string with a 16-byte salt and a 32-byte hash", async () => {
    const stored = await hashPassword("123456");
    const [scheme, iterations, salt, hash] = stored.split("$");
    expect(scheme).toBe("pbkdf2-sha256");
    expect(Number(iterations)).toBe(PBKDF2_ITERATIONS);
    expect(salt).toMatch(/^[A-Za-z0-9_-]{22}$/); // 16 bytes in base64url
    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes in base64url
    expect(stored).not.toContain("123456");
  });

  it("verifies the right password and rejects a wrong one", async () => {
    const stored = await hashPassword("correct horse");
    expect(await verifyPassword("correct horse", stored)).toBe(true);
    expect(await verifyPassword("correct hors", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("salts every hash differently", async () => {
    expect(await hashPassword("same")).not.toBe(await hashPassword("same"));
  });

  it("treats malformed or over-cap stored strings as a mismatch instead of throwing", async () => {
    const stored = await hashPassword("pw");
    const [, , salt, hash] = stored.split("$");
    for (const bad of [
      "",
      "plaintext",
      `bcrypt$100000$${salt}$${hash}`,
      `pbkdf2-sha256$abc$${salt}$${hash}`,
      `pbkdf2-sha256$200000$${salt}$${hash}`,
      `pbkdf2-sha256$100000$${salt}$not*base64`,
      `pbkdf2-sha256$100000$${salt}$${hash.slice(0, 20)}`,
    ]) {
      expect(await verifyPassword("pw", bad), bad).toBe(false);
    }
  });

  it("has a well-formed dummy hash that no password matches", async () => {
    expect(DUMMY_PASSWORD_HASH.split("$")).toHaveLength(4);
    expect(DUMMY_PASSWORD_HASH.startsWith(`pbkdf2-sha256$${PBKDF2_ITERATIONS}$`)).toBe(true);
    expect(await verifyPassword("", DUMMY_PASSWORD_HASH)).toBe(false);
    expect(await verifyPassword("123456", DUMMY_PASSWORD_HASH)).toBe(false);
  });
});
