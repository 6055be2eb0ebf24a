// The email rule: trimmed, lowercased, exactly one "@", a non-empty local part, a dotted domain
// with no empty labels, no whitespace or control characters (C0, DEL and C1), none of the
// characters that only a quoted address may hold (, ; < > " [ ] and the parentheses and backslash
// of comments and escapes: an address that needs quoting could name a second recipient or a
// display name in a mail header, so it is refused rather than quoted), at most 254
// characters (RFC 5321 §4.5.3.1.3), counted as code points after trimming and before lowercasing,
// so that anything within the document's maxLength (code points of the raw value) is within it.

export const MAX_EMAIL_LENGTH = 254;

/** Returns the normalized email, or null when it is not a valid address. */
export function normalizeEmail(raw: string): string | null {
  const trimmed = raw.trim();
  if (trimmed.length === 0 || [...trimmed].length > MAX_EMAIL_LENGTH) return null;
  const email = trimmed.toLowerCase();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\s\x00-\x1f\x7f-\x9f,;<>"[\]()\\]/.test(email)) return null;
  const parts = email.split("@");
  if (parts.length !== 2) return null;
  const [local, domain] = parts;
  if (local.length === 0) return null;
  const labels = domain.split(".");
  if (labels.length < 2 || labels.some((label) => label.length === 0)) return null;
  return email;
}
