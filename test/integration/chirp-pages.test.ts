// GET /api/chirps a page at a time: limit, an opaque keyset cursor, and RFC 8288 Link rel="next".
// Pages read one after another hold every chirp exactly once, in both orders and per author, even
// while chirps are posted and deleted between the reads.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { errorBody, FOREIGN_CURSOR, invalidField, MALFORMED_CURSOR } from "../../src/errors";
import { appWith, bearer, type Fetcher, fixedClock, newUser, postChirp, type TestUser } from "../helpers";

interface ChirpJson {
  id: string;
  created_at: string;
  body: string;
  user_id: string;
}

/** The Link header's rel="next" target as a path on the test host, or null. */
function nextOf(res: Response): string | null {
  const link = res.headers.get("Link");
  if (link === null) return null;
  const match = /^<([^>]+)>; rel="next"$/.exec(link);
  if (!match) throw new Error(`not a Link rel="next": ${link}`);
  const url = new URL(match[1]);
  return url.pathname + url.search;
}

/** Reads a listing page by page from `first`; `between` runs after each page (before the next). */
async function readAllPages(
  app: Fetcher,
  first: string,
  between: (pageIndex: number) => Promise<void> = async () => {},
) {
  const pages: ChirpJson[][] = [];
  let next: string | null = first;
  while (next !== null && pages.length < 100) {
    const res = await app(next);
    expect(res.status, next).toBe(200);
    pages.push(await res.json<ChirpJson[]>());
    next = nextOf(res);
    await between(pages.length - 1);
  }
  return pages;
}

const ids = (chirps: ChirpJson[]) => chirps.map((chirp) => chirp.id);

async function postMany(app: Fetcher, user: TestUser, count: number, label: string) {
  const posted: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await postChirp(app, user.token, `${label} ${i}`);
    posted.push((await res.json<ChirpJson>()).id);
  }
  return posted;
}

/** Inserts `count` chirps of one author straight into D1 (one statement), `ms` apart from `startMs`. */
async function insertChirps(userId: string, count: number, startMs: number, ms = 1) {
  await env.DB.prepare(
    `with recursive n(i) as (select 0 union all select i + 1 from n where i < ? - 1)
     insert into chirps (id, created_at, updated_at, body, user_id)
     select lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-a'
       || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))), ? + i * ?, ? + i * ?, 'seeded ' || i, ? from n`,
  )
    .bind(count, startMs, ms, startMs, ms, userId)
    .run();
}

describe("GET /api/chirps in pages", () => {
  it("pages hold every chirp once, in both orders, with ties in insertion order", async () => {
    // A clock that never moves: every chirp has the same created_at, so only the tie-break orders them.
    const app = appWith({ clock: fixedClock(Date.UTC(2040, 0, 1)) });
    const user = await newUser(app);
    const posted = await postMany(app, user, 7, "tie");
    const all = await (await app(`/api/chirps?author_id=${user.id}`)).json<ChirpJson[]>();
    expect(ids(all)).toEqual(posted);

    for (const [sort, expected] of [
      ["asc", posted],
      ["desc", [...posted].reverse()],
    ] as const) {
      const pages = await readAllPages(app, `/api/chirps?author_id=${user.id}&sort=${sort}&limit=3`);
      expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
      expect(ids(pages.flat())).toEqual(expected);
    }
    // A page that ends exactly at the last chirp has no Link: nothing follows.
    const exact = await readAllPages(app, `/api/chirps?author_id=${user.id}&limit=7`);
    expect(exact.map((page) => page.length)).toEqual([7]);
  });

  it("pages of the whole timeline and of one author, across milliseconds", async () => {
    const clock = fixedClock(Date.UTC(2041, 0, 1));
    const app = appWith({ clock });
    const [alice, bob] = [await newUser(app), await newUser(app)];
    for (let i = 0; i < 6; i++) {
      await postChirp(app, alice.token, `alice ${i}`);
      if (i % 2 === 0) clock.advance(0.001);
      await postChirp(app, bob.token, `bob ${i}`);
      clock.advance(1);
    }
    for (const sort of ["asc", "desc"]) {
      const whole = await (await app(`/api/chirps?sort=${sort}`)).json<ChirpJson[]>();
      expect(ids((await readAllPages(app, `/api/chirps?sort=${sort}&limit=4`)).flat())).toEqual(ids(whole));
      const bobs = await readAllPages(app, `/api/chirps?sort=${sort}&author_id=${bob.id}&limit=2`);
      expect(bobs.map((page) => page.length)).toEqual([2, 2, 2]);
      expect(bobs.flat().map((chirp) => chirp.body)).toEqual(
        (sort === "asc" ? [0, 1, 2, 3, 4, 5] : [5, 4, 3, 2, 1, 0]).map((i) => `bob ${i}`),
      );
    }
  });

  it("no chirp is missed or repeated while chirps are posted and deleted between page reads", async () => {
    const clock = fixedClock(Date.UTC(2042, 0, 1));
    const app = appWith({ clock });
    const writer = await newUser(app);
    const before: string[] = [];
    for (let i = 0; i < 12; i++) {
      before.push(...(await postMany(app, writer, 1, `before ${i}`)));
      if (i % 3 === 0) clock.advance(1); // some ties, some not
    }
    for (const sort of ["asc", "desc"] as const) {
      const deleted = new Set<string>();
      const postedDuring: string[] = [];
      const seen = (
        await readAllPages(app, `/api/chirps?author_id=${writer.id}&sort=${sort}&limit=4`, async (page) => {
          // Delete one already read and one not yet read; post a new one (newer than all).
          const read = sort === "asc" ? before[page * 4] : before[before.length - 1 - page * 4];
          const unread = sort === "asc" ? before[before.length - 1 - page] : before[page];
          for (const id of [read, unread]) {
            if (id === undefined || deleted.has(id)) continue;
            const res = await app(`/api/chirps/${id}`, { method: "DELETE", headers: bearer(writer.token) });
            expect(res.status).toBe(204);
            deleted.add(id);
          }
          postedDuring.push(...(await postMany(app, writer, 1, `during ${sort} ${page}`)));
        })
      ).flat();
      const seenIds = ids(seen);
      expect(new Set(seenIds).size, "a chirp was repeated").toBe(seenIds.length);
      // Every chirp that lived through the whole read was seen; nothing seen was deleted before its page.
      const survivors = before.filter((id) => !deleted.has(id));
      for (const id of survivors) expect(seenIds, `missing ${id}`).toContain(id);
      for (const id of seenIds) expect([...before, ...postedDuring]).toContain(id);
      // In time order, the pages stay ordered.
      const times = seen.map((chirp) => Date.parse(chirp.created_at));
      const sorted = [...times].sort((a, b) => (sort === "asc" ? a - b : b - a));
      expect(times).toEqual(sorted);
      // Ascending reads reach the chirps posted during the read; descending ones start above them.
      if (sort === "asc") for (const id of postedDuring.slice(0, -1)) expect(seenIds).toContain(id);
      else for (const id of postedDuring) expect(seenIds).not.toContain(id);
      before.splice(0, before.length, ...before.filter((id) => !deleted.has(id)), ...postedDuring);
    }
  });

  it("the default page is 1000 chirps, so one read still returns everything up to 1000", async () => {
    const app = appWith({ clock: fixedClock(Date.UTC(2043, 0, 1)) });
    const author = await newUser(app);
    await insertChirps(author.id, 1000, Date.UTC(2043, 0, 2));
    const full = await app(`/api/chirps?author_id=${author.id}`);
    expect((await full.json<ChirpJson[]>()).length).toBe(1000);
    expect(full.headers.get("Link")).toBeNull();

    await insertChirps(author.id, 1, Date.UTC(2043, 0, 3));
    const first = await app(`/api/chirps?author_id=${author.id}`);
    const page = await first.json<ChirpJson[]>();
    expect(page.length).toBe(1000);
    const next = nextOf(first);
    expect(next).not.toBeNull();
    const rest = await (await app(next as string)).json<ChirpJson[]>();
    expect(rest.map((chirp) => chirp.created_at)).toEqual([new Date(Date.UTC(2043, 0, 3)).toISOString()]);
  });

  it("the Link header is the request's own URL with the next cursor (RFC 8288)", async () => {
    const app = appWith({ clock: fixedClock(Date.UTC(2044, 0, 1)) });
    const user = await newUser(app);
    await postMany(app, user, 3, "link");
    const res = await app(`/api/chirps?sort=desc&author_id=${user.id}&limit=2`);
    const link = res.headers.get("Link") ?? "";
    const match = /^<(http:\/\/chirpy\.test\/api\/chirps\?[^>]+)>; rel="next"$/.exec(link);
    expect(match, link).not.toBeNull();
    const url = new URL((match as RegExpExecArray)[1]);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      sort: "desc",
      author_id: user.id,
      limit: "2",
      cursor: expect.stringMatching(/^[A-Za-z0-9_-]+$/),
    });
  });

  it.each([["0"], ["1001"], ["-1"], ["1.5"], ["01"], ["ten"], [""], ["99999999999999999999"]])(
    "limit=%s is a 400 that names the range",
    async (limit) => {
      const res = await appWith({})(`/api/chirps?limit=${encodeURIComponent(limit)}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual(errorBody(invalidField.notIntegerIn("limit", 1, 1000)));
    },
  );

  it("limit=1 and limit=1000 are the bounds", async () => {
    const app = appWith({});
    for (const limit of ["1", "1000"]) expect((await app(`/api/chirps?limit=${limit}`)).status).toBe(200);
    expect((await app("/api/chirps?limit=1&limit=2")).status).toBe(400);
  });

  it("a malformed cursor is a 400, a foreign one (another order or author) too", async () => {
    const app = appWith({ clock: fixedClock(Date.UTC(2045, 0, 1)) });
    const [alice, bob] = [await newUser(app), await newUser(app)];
    await postMany(app, alice, 3, "cursor");
    await postMany(app, bob, 3, "cursor");
    const cursorOf = async (path: string) =>
      new URL(`http://chirpy.test${nextOf(await app(path)) as string}`).searchParams.get("cursor") as string;
    const asc = await cursorOf(`/api/chirps?author_id=${alice.id}&limit=1`);
    const all = await cursorOf("/api/chirps?limit=1");
    const b64 = (text: string) => btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

    const malformed = [
      "nope!",
      "abc",
      b64("1|asc||x|1"),
      b64("2|asc||1|1"),
      b64("1|sideways||1|1"),
      b64(`1|asc||${"9".repeat(17)}|1`),
      b64("1|asc||99999999999999999|1"),
      `${asc}=`,
      "A".repeat(400),
    ];
    for (const cursor of malformed) {
      const res = await app(`/api/chirps?author_id=${alice.id}&cursor=${encodeURIComponent(cursor)}`);
      expect(res.status, cursor).toBe(400);
      expect(await res.json()).toEqual(errorBody(MALFORMED_CURSOR));
    }
    for (const path of [
      `/api/chirps?author_id=${alice.id}&sort=desc&cursor=${asc}`,
      `/api/chirps?author_id=${bob.id}&cursor=${asc}`,
      `/api/chirps?cursor=${asc}`,
      `/api/chirps?author_id=${alice.id}&cursor=${all}`,
    ]) {
      const res = await app(path);
      expect(res.status, path).toBe(400);
      expect(await res.json()).toEqual(errorBody(FOREIGN_CURSOR));
    }
    // The same cursor, with its own query, still works.
    expect((await app(`/api/chirps?author_id=${alice.id}&cursor=${asc}`)).status).toBe(200);
  });
});

describe("the OpenAPI document describes paging", () => {
  it("names limit and cursor as query parameters and the Link header of the 200", async () => {
    const doc = await (await appWith({})("/openapi.json")).json<{
      paths: Record<
        string,
        Record<
          string,
          {
            parameters: { name: string; schema: Record<string, unknown> }[];
            responses: Record<string, { headers?: Record<string, unknown> }>;
          }
        >
      >;
    }>();
    const op = doc.paths["/api/chirps"].get;
    const byName = Object.fromEntries(op.parameters.map((p) => [p.name, p.schema]));
    expect(byName.limit).toMatchObject({ type: "integer", minimum: 1, maximum: 1000, default: 1000 });
    expect(byName.cursor).toMatchObject({ type: "string", pattern: expect.any(String) });
    expect(Object.keys(op.responses["200"].headers ?? {})).toEqual(["Link"]);
  });
});
