// The D1 schema. Timestamps are integer milliseconds so ordering by them is chronological;
// rows are stamped by the services with the injected clock, never by SQL defaults.

import { and, gt, isNull, type Placeholder, type SQL, sql } from "drizzle-orm";
import {
  type AnySQLiteColumn,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  // Stored trimmed and lowercased; the unique index makes a second account in another case a 409.
  email: text("email").notNull().unique(),
  hashedPassword: text("hashed_password").notNull(),
  isChirpyRed: integer("is_chirpy_red", { mode: "boolean" }).notNull().default(false),
  // Set when the owner of the address followed a verification (or reset) link sent to it; an
  // email change clears it.
  emailVerified: integer("email_verified", { mode: "boolean" }).notNull().default(false),
  // With REQUIRE_VERIFIED_EMAIL on, a new address waits here until its owner follows the link sent
  // to it; login and sessions stay on `email` meanwhile. Not unique: it claims nothing until then.
  pendingEmail: text("pending_email"),
  // The user's WebAuthn user handle (16 random bytes, base64url): what passkeys hold as the user's
  // id, so an authenticator never stores the user id or the email. Made at the first passkey.
  webauthnUserHandle: text("webauthn_user_handle").unique(),
  // Two-factor authentication (TOTP): the secret sealed under MFA_ENCRYPTION_KEY (crypto/secret-box.ts)
  // once confirmed, the one being enrolled until then, and the last time step a code was accepted
  // for (a code is accepted once: only later steps pass).
  totpSecret: text("totp_secret"),
  totpPendingSecret: text("totp_pending_secret"),
  totpLastStep: integer("totp_last_step"),
});

// Single-use recovery codes for a lost authenticator app: only their keyed digests (HMAC under
// MFA_ENCRYPTION_KEY's key), so a dump of D1 can neither read nor test them.
export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    digest: text("digest").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (table) => [index("recovery_codes_user_id_idx").on(table.userId)],
);

// The second step of a login: a token (stored as its SHA-256) for the user whose password was
// right, bound to the password hash it was issued under (a change or reset kills it), five minutes,
// five wrong codes.
export const mfaTokens = sqliteTable(
  "mfa_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    passwordHash: text("password_hash").notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    failures: integer("failures").notNull().default(0),
  },
  (table) => [index("mfa_tokens_user_id_idx").on(table.userId), index("mfa_tokens_expires_at_idx").on(table.expiresAt)],
);

// Passkeys: WebAuthn credentials a user registered, each a public key (COSE, base64url) and the
// authenticator's signature counter. Only public material: nothing here signs anything.
export const passkeys = sqliteTable(
  "passkeys",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // The credential id (base64url) the authenticator answers with: unique across all users.
    credentialId: text("credential_id").notNull().unique(),
    publicKey: text("public_key").notNull(),
    algorithm: integer("algorithm").notNull(),
    signCount: integer("sign_count").notNull(),
    name: text("name").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
  },
  (table) => [index("passkeys_user_id_created_at_idx").on(table.userId, table.createdAt)],
);

// WebAuthn challenges: 32 random bytes each, stored only as their SHA-256, single use (consumed
// by the statement that checks them) and short-lived; a registration challenge is the user's.
export const webauthnChallenges = sqliteTable(
  "webauthn_challenges",
  {
    challengeHash: text("challenge_hash").primaryKey(),
    purpose: text("purpose", { enum: ["registration", "authentication"] }).notNull(),
    userId: text("user_id").references(() => users.id, { onDelete: "cascade" }),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (table) => [
    index("webauthn_challenges_expires_at_idx").on(table.expiresAt),
    index("webauthn_challenges_user_id_idx").on(table.userId),
  ],
);

// Single-use tokens sent by mail: a password reset, or an email verification. Stored only as the
// SHA-256 of the token (a database read yields no usable link); one per user and purpose (asking
// again replaces the older one), bound to the address it was sent to.
export const accountTokens = sqliteTable(
  "account_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: ["password_reset", "email_verification", "email_change_cancel"] }).notNull(),
    email: text("email").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (table) => [
    uniqueIndex("account_tokens_user_id_purpose_idx").on(table.userId, table.purpose),
    index("account_tokens_expires_at_idx").on(table.expiresAt),
  ],
);

// One row per login: the "family" that its refresh tokens (one, or a chain under rotation)
// and its access tokens (via the `sid` claim) belong to. Ending it ends all of them at once.
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }).notNull(),
    // Absolute lifetime from the login: rotation never extends it.
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
    userAgent: text("user_agent"),
    // How the login proved who it was (RFC 8176 values, space-separated: "pwd", "hwk"): every
    // access token of the session carries it as `amr`.
    amr: text("amr").notNull().default("pwd"),
  },
  // Serve "this user's sessions" newest first, and least recently used first (the session cap),
  // without a sort step; and housekeeping's "ended before" ranges (revoked ones only: a partial index).
  (table) => [
    index("sessions_user_id_created_at_idx").on(table.userId, table.createdAt),
    index("sessions_user_id_last_used_at_idx").on(table.userId, table.lastUsedAt, table.createdAt),
    index("sessions_expires_at_idx").on(table.expiresAt),
    index("sessions_revoked_at_idx").on(table.revokedAt).where(sql`${table.revokedAt} is not null`),
  ],
);

export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    // SHA-256 of the token (hex): a read of the database never yields a usable token.
    tokenHash: text("token_hash").primaryKey(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    // Rotation: when the token was traded for its successor, and the random nonce that, with the
    // presented token, derives that successor again inside the grace window (HMAC; see rotation).
    consumedAt: integer("consumed_at", { mode: "timestamp_ms" }),
    rotationNonce: text("rotation_nonce"),
  },
  (table) => [
    index("refresh_tokens_user_id_idx").on(table.userId),
    index("refresh_tokens_session_id_idx").on(table.sessionId),
  ],
);

// Attempt counters for the budgets (auth/budgets.ts), one row per key ("<kind>:<what>", e.g.
// "ip:ip4:192.0.2.1" or "account:<sha256 of the email>"), in fixed windows that start at the first attempt.
export const loginAttempts = sqliteTable(
  "login_attempts",
  {
    key: text("key").primaryKey(),
    windowStart: integer("window_start", { mode: "timestamp_ms" }).notNull(),
    count: integer("count").notNull(),
  },
  (table) => [index("login_attempts_window_start_idx").on(table.windowStart)],
);

// Networks (the per-network limit's key: an IPv4 address or an IPv6 /64) a user logged in from
// successfully, and when last: logins from them are exempt from the account-wide failure budget,
// so strangers guessing from elsewhere cannot lock the user out (see auth/login.ts).
export const knownNetworks = sqliteTable(
  "known_networks",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    network: text("network").notNull(),
    lastLoginAt: integer("last_login_at", { mode: "timestamp_ms" }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.network] }),
    index("known_networks_last_login_at_idx").on(table.lastLoginAt),
  ],
);

export const chirps = sqliteTable(
  "chirps",
  {
    id: text("id").primaryKey(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
    body: text("body").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
  },
  // SQLite indexes carry the rowid, so "ORDER BY created_at, rowid" (ties in insertion order)
  // is served by these indexes without a sort step.
  (table) => [
    index("chirps_created_at_idx").on(table.createdAt),
    index("chirps_user_id_created_at_idx").on(table.userId, table.createdAt),
  ],
);

/** The implicit rowid: insertion order, used to break created_at ties. */
export const rowid = sql`rowid`;

/**
 * "Live at `now`": neither revoked nor expired. The one spelling of the rule, for a session (or an
 * alias of sessions) and for a refresh token alike; every statement that needs it carries it.
 */
export const isLive = (
  row: { revokedAt: AnySQLiteColumn; expiresAt: AnySQLiteColumn },
  now: Date | SQL | Placeholder,
) => and(isNull(row.revokedAt), gt(row.expiresAt, now)) as SQL;

export type User = typeof users.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type Chirp = typeof chirps.$inferSelect;
export type Passkey = typeof passkeys.$inferSelect;
