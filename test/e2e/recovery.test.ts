// Account recovery against `npm start` with PLATFORM=dev, over real HTTP, as a client (and the
// README's recovery walkthrough) would do it: reset for a known and an unknown address, the mail
// read from the dev mailbox, confirm, and what must then hold. The local D1 files are scanned
// byte by byte: no reset token may be stored anywhere in them.

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statusWalkthrough } from "./readme";
import { type DevServer, startDevServer } from "./server";

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer();
});
afterAll(() => server?.stop());

const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.base}${p}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

/** Every byte of the local database files (the SQLite file and its write-ahead log). */
function databaseBytes(): Buffer {
  const dir = path.join(server.persistDir, "v3/d1");
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return Buffer.concat(files.map((entry) => readFileSync(path.join(entry.parentPath, entry.name))));
}

describe("password reset over HTTP (PLATFORM=dev)", () => {
  it("known and unknown addresses answer alike; the mail, the confirm and what holds afterwards", async () => {
    const email = `recover-${Date.now()}@example.com`;
    expect((await post("/api/users", { email, password: "old password" })).status).toBe(201);
    const login = await post("/api/login", { email, password: "old password" });
    const { refresh_token: refreshToken } = (await login.json()) as { refresh_token: string };

    const known = await post("/api/password-resets", { email });
    const unknown = await post("/api/password-resets", { email: `nobody-${Date.now()}@example.com` });
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect(await known.text()).toBe(await unknown.text());
    const headerNames = (res: Response) => [...res.headers.keys()].sort();
    expect(headerNames(known)).toEqual(headerNames(unknown));

    const mails = (await (await fetch(`${server.base}/admin/mailbox?to=${encodeURIComponent(email)}`)).json()) as {
      subject: string;
      text: string;
    }[];
    const resets = mails.filter((mail) => /reset/i.test(mail.subject));
    expect(resets).toHaveLength(1);
    const token = /reset-password#token=([0-9a-f]{64})/.exec(resets[0].text)?.[1] as string;
    expect(resets[0].text).toContain(`${server.base}/app/reset-password#token=${token}`);

    expect((await post("/api/password-resets/confirm", { token, password: "new password" })).status).toBe(204);
    expect((await post("/api/login", { email, password: "old password" })).status).toBe(401);
    const refresh = await fetch(`${server.base}/api/refresh`, {
      method: "POST",
      headers: { Authorization: `Bearer ${refreshToken}` },
    });
    expect(refresh.status).toBe(401);
    expect((await post("/api/login", { email, password: "new password" })).status).toBe(200);
    expect((await post("/api/password-resets/confirm", { token, password: "third password" })).status).toBe(400);

    // No token in the database files; its digest is there (the scan does see the data) until used.
    const bytes = databaseBytes();
    expect(bytes.includes(token)).toBe(false);
    expect(bytes.includes(refreshToken)).toBe(false);
    await post("/api/password-resets", { email });
    const fresh = (await (await fetch(`${server.base}/admin/mailbox?to=${encodeURIComponent(email)}`)).json()) as {
      text: string;
    }[];
    const pending = /reset-password#token=([0-9a-f]{64})/.exec(fresh[0].text)?.[1] as string;
    const afterSecond = databaseBytes();
    expect(afterSecond.includes(pending)).toBe(false);
    expect(afterSecond.includes(createHash("sha256").update(pending).digest("hex"))).toBe(true);
  });
});

describe("README recovery walkthrough", () => {
  const { expected, run } = statusWalkthrough("recovery");

  it.each(["sh", "bash"])("runs in %s, twice, with the statuses the README shows", (shell) => {
    expect(expected).toEqual([201, 202, 202, 204, 401, 200, 400]);
    for (let i = 0; i < 2; i++) {
      const { statuses, output } = run(shell, server.base);
      expect(statuses, output).toEqual(expected);
    }
  });
});
