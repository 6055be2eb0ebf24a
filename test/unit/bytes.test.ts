import { describe, expect, it } from "vitest";
import { randomBytes, randomUuid } from "../../src/crypto/bytes";

describe("randomUuid", () => {
  it("formats 16 bytes of the given source as a version 4, variant 1 UUID", () => {
    const fixed = (length: number) => new Uint8Array(length).fill(0xff);
    expect(randomUuid(fixed)).toBe("ffffffff-ffff-4fff-bfff-ffffffffffff");
    expect(randomUuid(() => new Uint8Array(16))).toBe("00000000-0000-4000-8000-000000000000");
  });

  it("is random with the real source", () => {
    const ids = new Set(Array.from({ length: 100 }, () => randomUuid(randomBytes)));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
