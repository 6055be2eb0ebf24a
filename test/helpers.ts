// Shared test helpers: call the worker, make unique users, a fixed clock.

import { env, exports } from "cloudflare:workers";
import { type AppOptions, createApp } from "../src/app";
import type { Clock } from "../src/clock";
import type { Bindings } from "../src/config";
import { checkDocumented } from "./documented-answers";

export type Fetcher = (path: string, init?: RequestInit) => Promise<Response>;

/** A path on the test host, or an absolute URL as it is (e.g. another Host for rebinding tests). */
const urlOf = (path: string) => (path.startsWith("http") ? path : `http://chirpy.test${path}`);

/** Calls the deployed entry point exactly as a client would. */
export const api: Fetcher = async (path, init) => {
  const res = await exports.default.fetch(urlOf(path), init);
  await checkDocumented(init?.method ?? "GET", urlOf(path), res);
  return res;
};

/** An app with injected dependencies (e.g. a fixed clock), on the same real D1. */
export function appWith(options: AppOptions, bindings: Partial<Bindings> = {}): Fetcher {
  const app = createApp(options);
  // One environment object for the app's life, as a Worker isolate has.
  const merged = { ...env, ...bindings };
  return async (path, init) => {
    const res = await app.request(urlOf(path), init, merged);
    await checkDocumented(init?.method ?? "GET", urlOf(path), res);
    return res;
  };
}

export interface FixedClock extends Clock {
  advance(seconds: number): void;
}

export function fixedClock(startMs = Date.UTC(2026, 0, 1)): FixedClock {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    advance(seconds) {
      nowMs += seconds * 1000;
    },
  };
}

let counter = 0;
export const uniqueEmail = (prefix = "user") =>
  `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}-${crypto.randomUUID().slice(0, 8)}@example.com`;

export const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json", ...headers },
  body: JSON.stringify(body),
});

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** PUT /api/users' request: a JSON body with the access token (and any other headers). */
export const put = (body: unknown, token: string, headers: Record<string, string> = {}): RequestInit => ({
  ...json(body, { ...bearer(token), ...headers }),
  method: "PUT",
});

/** Rows of a table in the test file's D1, optionally `where` a condition with bound values. */
export async function rowCount(table: string, where = "1", ...values: unknown[]): Promise<number> {
  const row = await env.DB.prepare(`select count(*) as n from ${table} where ${where}`)
    .bind(...values)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

export const PASSWORD = "correct horse battery staple";

/** A user's public JSON fields, in the order the API writes them; a login adds its tokens after them. */
export const USER_FIELDS = [
  "id",
  "created_at",
  "updated_at",
  "email",
  "is_chirpy_red",
  "email_verified",
  "pending_email",
];

/** Two signing secrets for key-rotation tests (the suite's own JWT_SECRET is in vitest.config.ts). */
export const ROTATION_SECRETS = {
  old: "old-secret-0123456789abcdef0123456789abcdef",
  new: "new-secret-fedcba9876543210fedcba9876543210",
} as const;

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
}

/** Signs up and logs in a fresh user. */
export async function newUser(fetcher: Fetcher = api, email = uniqueEmail()): Promise<TestUser> {
  const created = await fetcher("/api/users", json({ email, password: PASSWORD }));
  if (created.status !== 201) throw new Error(`signup failed: ${created.status} ${await created.text()}`);
  const res = await fetcher("/api/login", json({ email, password: PASSWORD }));
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const body = await res.json<{ id: string; token: string; refresh_token: string }>();
  return { id: body.id, email, password: PASSWORD, token: body.token, refreshToken: body.refresh_token };
}

export async function postChirp(fetcher: Fetcher, token: string, body: string): Promise<Response> {
  return fetcher("/api/chirps", json({ body }, bearer(token)));
}

/** A JWT's header and claims, decoded without verifying (tests read `sid`, `kid`, `exp`…). */
export function decodeJwt(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const part = (i: number) => JSON.parse(atob(token.split(".")[i].replace(/-/g, "+").replace(/_/g, "/")));
  return { header: part(0), claims: part(1) };
}

/** The session (`sid`) an access token belongs to. */
export const sessionIdOf = (token: string) => decodeJwt(token).claims.sid as string;

/** POST /api/refresh with a refresh token. */
export const refresh = (fetcher: Fetcher, refreshToken: string) =>
  fetcher("/api/refresh", { method: "POST", headers: bearer(refreshToken) });

/** POST /api/revoke with a refresh token. */
export const revoke = (fetcher: Fetcher, refreshToken: string) =>
  fetcher("/api/revoke", { method: "POST", headers: bearer(refreshToken) });

/**
 * Every operation the app describes (its OpenAPI document, built from the routes), as
 * "METHOD /path" with path parameters written {id}: the list a test that must cover every endpoint
 * compares its own with, so a new endpoint is covered or the test names it.
 */
export async function describedOperations(): Promise<string[]> {
  const doc = await (await api("/openapi.json")).json<{ paths: Record<string, Record<string, unknown>> }>();
  return Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{\w+\}/g, "{id}")}`),
  );
}

/** The operations of `described` that `covered` lacks, but for those `excused` (operation → why). */
export function uncovered(described: string[], covered: string[], excused: Record<string, string>): string[] {
  const names = new Set(covered);
  return described.filter((operation) => !names.has(operation) && !(operation in excused));
}

/** A mail's link token: what follows #token= in its text. */
export const LINK_TOKEN = /#token=([0-9a-f]{64})/;

export interface KeptMail {
  to: string;
  subject: string;
  text: string;
  sent_at: string;
}

/** The dev mailbox for an address, newest first (it waits for mail still being sent). */
export async function mailbox(to: string): Promise<KeptMail[]> {
  const res = await api(`http://localhost:8787/admin/mailbox?to=${encodeURIComponent(to)}`);
  if (res.status !== 200) throw new Error(`the dev mailbox answered ${res.status}`);
  return res.json<KeptMail[]>();
}

/** The token of the newest mail to an address with the subject. */
export async function tokenFrom(to: string, subject: RegExp): Promise<string> {
  const mail = (await mailbox(to)).find((m) => subject.test(m.subject));
  const token = mail && LINK_TOKEN.exec(mail.text)?.[1];
  if (!token) throw new Error(`no mail matching ${subject} to that address`);
  return token;
}

export { base32Bytes } from "./base32";
