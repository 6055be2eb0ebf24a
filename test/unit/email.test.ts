import { describe, expect, it } from "vitest";
import { normalizeEmail } from "../../src/auth/email";

describe("normalizeEmail", () => {
  it("trims and lowercases a valid address", () => {
    expect(normalizeEmail("  Saul@BetterCall.COM ")).toBe("saul@bettercall.com");
    expect(normalizeEmail("a+tag@sub.example.co.uk")).toBe("a+tag@sub.example.co.uk");
  });

  it.each([
    ["empty", ""],
    ["spaces only", "   "],
    ["no @", "saul.bettercall.com"],
    ["two @", "saul@better@call.com"],
    ["empty local part", "@bettercall.com"],
    ["no dot in domain", "saul@localhost"],
    ["empty domain label", "saul@bettercall..com"],
    ["leading dot in domain", "saul@.com"],
    ["trailing dot in domain", "saul@bettercall."],
    ["inner space", "saul goodman@bettercall.com"],
    ["tab", "saul\t@bettercall.com"],
    ["control character", "saul\u0000@bettercall.com"],
    ["255 characters", `${"a".repeat(243)}@example.com`],
    // What only a quoted address may hold: each could smuggle a second recipient or a display name
    // into the mail's To header.
    ["a comma (a second recipient)", "victim@example.com,attacker@evil.example"],
    ["a semicolon", "victim@example.com;attacker@evil.example"],
    ["angle brackets", "Victim <attacker@evil.example>"],
    ["angle brackets without a space", "x<attacker@evil.example>"],
    ["a double quote", '"victim"@example.com'],
    ["square brackets", "saul@[192.0.2.1].com"],
    ["parentheses (a comment)", "saul(comment)@bettercall.com"],
    ["a backslash", "sa\\ul@bettercall.com"],
  ])("rejects %s", (_name, raw) => {
    expect(normalizeEmail(raw)).toBeNull();
  });

  it("accepts exactly 254 characters", () => {
    const email = `${"a".repeat(242)}@example.com`;
    expect(email).toHaveLength(254);
    expect(normalizeEmail(email)).toBe(email);
  });
});

describe("normalizeEmail counts the way the document says", () => {
  it("counts code points, not UTF-16 units: 130 emoji + @a.co (135 code points) is valid", () => {
    const email = `${"😀".repeat(130)}@a.co`;
    expect(normalizeEmail(email)).toBe(email);
    expect(normalizeEmail(`${"😀".repeat(250)}@a.co`)).toBeNull();
  });

  it.each([
    ["0080", "\u0080"],
    ["0085", "\u0085"],
    ["009F", "\u009f"],
  ])("refuses the C1 control character U+%s", (_code, c1) => {
    expect(normalizeEmail(`a${c1}b@example.com`)).toBeNull();
    expect(normalizeEmail(`ab@exa${c1}mple.com`)).toBeNull();
  });
});
