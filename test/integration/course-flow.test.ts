import { describe, expect, it } from "vitest";
import { api, bearer, json, refresh, revoke } from "../helpers";

// The course's own check for the refresh-token lesson, step by step, in order.
describe("the course's refresh token lesson", () => {
  it("passes the nine-step sequence", async () => {
    expect((await api("http://localhost:8787/admin/reset", { method: "POST" })).status).toBe(200);

    const created = await api("/api/users", json({ email: "saul@bettercall.com", password: "123456" }));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ email: "saul@bettercall.com" });

    const login = await api("/api/login", json({ email: "saul@bettercall.com", password: "123456" }));
    expect(login.status).toBe(200);
    const { token, refresh_token } = await login.json<{ token: string; refresh_token: string }>();
    expect(refresh_token).toMatch(/^[0-9a-f]{64}$/);

    const withRefresh = await api("/api/chirps", json({ body: "I'm the one who knocks!" }, bearer(refresh_token)));
    expect(withRefresh.status).toBe(401);
    expect(await withRefresh.json()).toEqual({ error: expect.any(String), code: expect.any(String) });

    const withAccess = await api("/api/chirps", json({ body: "I'm the one who knocks!" }, bearer(token)));
    expect(withAccess.status).toBe(201);

    const refreshed = await refresh(api, refresh_token);
    expect(refreshed.status).toBe(200);
    const { token: newToken } = await refreshed.json<{ token: string }>();
    expect(typeof newToken).toBe("string");

    const withNew = await api("/api/chirps", json({ body: "Gale!" }, bearer(newToken)));
    expect(withNew.status).toBe(201);

    const revoked = await revoke(api, refresh_token);
    expect(revoked.status).toBe(204);
    expect(await revoked.text()).toBe("");

    const afterRevoke = await refresh(api, refresh_token);
    expect(afterRevoke.status).toBe(401);
    expect(await afterRevoke.json()).toEqual({ error: expect.any(String), code: expect.any(String) });
  });
});
