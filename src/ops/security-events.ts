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

type WithIp = Extract<SecurityEvent, { ip: string | null }>;

/** Writes one event line. `ip` fields are reduced to the client's network prefix first. */
export function emitSecurityEvent(event: SecurityEvent): void {
  const line: Record<string, unknown> = { ...event, level: "security" };
  if ("ip" in event) {
    delete line.ip;
    line.ip_prefix = (event as WithIp).ip === null ? null : networkPrefixOf((event as WithIp).ip as string);
  }
  console.log(JSON.stringify(line));
}
