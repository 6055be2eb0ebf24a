// Security events as one structured JSON log line each, for Workers Logs and `wrangler tail`:
// {"event": "login.failed", ...}. Lines carry ids (user, session), the client's network prefix
// and reasons — never a token, hash, password or email address.

import { networkPrefixOf } from "../auth/network";

type SessionEndedBy = "user" | "log_out_everywhere" | "password_change" | "revoke" | "reuse_detection";

export type SecurityEvent =
  | { event: "login.succeeded"; user_id: string; session_id: string; ip: string | null }
  | {
      event: "login.failed";
      user_id: string | null;
      reason: "unknown_email" | "wrong_password" | "credentials_changed";
      ip: string | null;
    }
  | { event: "login.rate_limited"; limit: "email" | "ip"; retry_after: number; ip: string | null }
  | { event: "signup.succeeded"; user_id: string; ip: string | null }
  | { event: "signup.rate_limited"; retry_after: number; ip: string | null }
  | {
      event: "credentials.changed";
      user_id: string;
      session_id: string;
      password_changed: boolean;
      email_changed: boolean;
    }
  | { event: "session.ended"; user_id: string | null; session_id: string | null; by: SessionEndedBy; count: number }
  | { event: "refresh_token.reuse_detected"; user_id: string; session_id: string }
  | { event: "access_token.unknown_kid"; kid: string | null }
  | { event: "webhook.rejected"; reason: "bad_key" | "unknown_user" };

/** Writes one event line; an `ip` is reduced to the client's network prefix first. */
export function emitSecurityEvent(event: SecurityEvent): void {
  const { ip, ...rest } = event as SecurityEvent & { ip?: string | null };
  const prefix = "ip" in event ? { ip_prefix: ip ? networkPrefixOf(ip) : null } : {};
  console.log(JSON.stringify({ ...rest, level: "security", ...prefix }));
}
