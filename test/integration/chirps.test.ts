import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_CHIRP_LENGTH } from "../../src/chirps/service";
import { CHIRP_NOT_FOUND, chirpTooLong, errorBody, invalidField, NOT_YOUR_CHIRP } from "../../src/errors";
import { api, appWith, bearer, fixedClock, json, newUser, postChirp, rowCount } from "../helpers";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
interface ChirpJson {
  id: string;
  created_at: string;
  updated_at: string;
  body: string;
  user_id: string;
}
const countChirps = () => rowCount("chirps");

describe("POST /api/chirps", () => {
  it("creates a chirp for the token's user with the cleaned body", async () => {
    const user = await newUser();
    const res = await postChirp(api, user.token, "This is a kerfuffle opinion I need to share with the world");
    expect(res.status).toBe(201);
    const chirp = await res.json<ChirpJson>();
    expect(Object.keys(chirp).sort()).toEqual(["body", "created_at", "id", "updated_at", "user_id"]);
    expect(chirp).toMatchObject({ body: "This is a **** opinion I need to share with the world", user_id: user.id });
    expect(chirp.id).toMatch(UUID);
    expect(chirp.updated_at).toBe(chirp.created_at);
  });

  it("accepts 140 characters counted as code points, and rejects 141", async () => {
    const user = await newUser();
    expect((await postChirp(api, user.token, "a".repeat(140))).status).toBe(201);
    expect((await postChirp(api, user.token, "🐦".repeat(140))).status).toBe(201); // 280 UTF-16 units
    const before = await countChirps();
    const res = await postChirp(api, user.token, "a".repeat(141));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(errorBody(chirpTooLong(MAX_CHIRP_LENGTH)));
    expect(await countChirps()).toBe(before);
  });

  it.each([
    ["a missing body", {}, invalidField.required("body")],
    ["a numeric body", { body: 5 }, invalidField.notString("body")],
    ["an empty body", { body: "" }, invalidField.empty("body")],
    ["a blank body", { body: "   " }, invalidField.empty("body")],
  ])("returns 400 for %s", async (_name, payload, error) => {
    const user = await newUser();
    const res = await api("/api/chirps", json(payload, bearer(user.token)));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(errorBody(error));
  });

  it("returns 401 without an access token and stores nothing", async () => {
    const before = await countChirps();
    const res = await api("/api/chirps", json({ body: "anonymous" }));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: expect.stringContaining("Authorization"), code: expect.any(String) });
    expect(await countChirps()).toBe(before);
  });
});

describe("GET /api/chirps", () => {
  it("lists by created_at ascending by default, ties in insertion order, and descending on request", async () => {
    const clock = fixedClock(Date.UTC(2030, 0, 1));
    const app = appWith({ clock });
    const user = await newUser(app);
    const bodies = ["first", "second (same ms)", "third (same ms)"];
    for (const body of bodies) await postChirp(app, user.token, body);
    clock.advance(1);
    await postChirp(app, user.token, "fourth");
    // An earlier timestamp inserted last must still sort first: order is by time, not rowid alone.
    clock.advance(-3600);
    await postChirp(app, user.token, "zeroth");

    const asc = await (await api(`/api/chirps?author_id=${user.id}`)).json<ChirpJson[]>();
    expect(asc.map((c) => c.body)).toEqual(["zeroth", ...bodies, "fourth"]);
    const desc = await (await api(`/api/chirps?author_id=${user.id}&sort=desc`)).json<ChirpJson[]>();
    expect(desc.map((c) => c.body)).toEqual(["fourth", ...[...bodies].reverse(), "zeroth"]);
    const explicitAsc = await (await api(`/api/chirps?author_id=${user.id}&sort=asc`)).json<ChirpJson[]>();
    expect(explicitAsc).toEqual(asc);
  });

  it("filters by author_id and lists everyone's chirps without it", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const a = await (await postChirp(api, alice.token, "from alice")).json<ChirpJson>();
    const b = await (await postChirp(api, bob.token, "from bob")).json<ChirpJson>();
    const onlyAlice = await (await api(`/api/chirps?author_id=${alice.id}`)).json<ChirpJson[]>();
    expect(onlyAlice).toEqual([a]);
    const res = await api("/api/chirps");
    expect(res.status).toBe(200);
    const all = await res.json<ChirpJson[]>();
    expect(all.map((c) => c.id)).toEqual(expect.arrayContaining([a.id, b.id]));
  });

  it("returns an empty array for an author with no chirps", async () => {
    const res = await api(`/api/chirps?author_id=${crypto.randomUUID()}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([]);
  });

  it.each([
    ["a malformed author_id", "?author_id=123", invalidField.notUuid("author_id")],
    ["an unknown sort", "?sort=newest", invalidField.notOneOf("sort", ["asc", "desc"])],
  ])("returns 400 for %s", async (_name, query, error) => {
    const res = await api(`/api/chirps${query}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(errorBody(error));
  });
});

describe("GET /api/chirps/{id}", () => {
  it("returns the chirp", async () => {
    const user = await newUser();
    const chirp = await (await postChirp(api, user.token, "find me")).json<ChirpJson>();
    const res = await api(`/api/chirps/${chirp.id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(chirp);
  });

  it("returns 404 for an unknown id and 400 for a malformed one", async () => {
    const missing = await api(`/api/chirps/${crypto.randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual(errorBody(CHIRP_NOT_FOUND));
    const malformed = await api("/api/chirps/not-a-uuid");
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual(errorBody(invalidField.notUuid("chirp id")));
  });
});

describe("DELETE /api/chirps/{id}", () => {
  const del = (id: string, headers: Record<string, string> = {}) =>
    api(`/api/chirps/${id}`, { method: "DELETE", headers });

  it("deletes the caller's chirp with 204", async () => {
    const user = await newUser();
    const chirp = await (await postChirp(api, user.token, "short-lived")).json<ChirpJson>();
    const res = await del(chirp.id, bearer(user.token));
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect((await api(`/api/chirps/${chirp.id}`)).status).toBe(404);
  });

  it("returns 403 for someone else's chirp and keeps it", async () => {
    const [author, other] = [await newUser(), await newUser()];
    const chirp = await (await postChirp(api, author.token, "mine")).json<ChirpJson>();
    const res = await del(chirp.id, bearer(other.token));
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual(errorBody(NOT_YOUR_CHIRP));
    expect((await api(`/api/chirps/${chirp.id}`)).status).toBe(200);
  });

  it("returns 401 without a token and 404 for an unknown chirp", async () => {
    const user = await newUser();
    const chirp = await (await postChirp(api, user.token, "keep")).json<ChirpJson>();
    const anonymous = await del(chirp.id);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: expect.any(String), code: expect.any(String) });
    expect((await api(`/api/chirps/${chirp.id}`)).status).toBe(200);
    const missing = await del(crypto.randomUUID(), bearer(user.token));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual(errorBody(CHIRP_NOT_FOUND));
  });

  it("removes a user's chirps when the user is deleted", async () => {
    const user = await newUser();
    const chirp = await (await postChirp(api, user.token, "gone with me")).json<ChirpJson>();
    await env.DB.prepare("delete from users where id = ?").bind(user.id).run();
    expect((await api(`/api/chirps/${chirp.id}`)).status).toBe(404);
  });
});
