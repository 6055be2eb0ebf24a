// The app's type gives typed calls through Hono's RPC client: hc<AppType>().

import { exports } from "cloudflare:workers";
import { hc } from "hono/client";
import { describe, expect, it } from "vitest";
import type { AppType } from "../../src/index";
import { uniqueEmail } from "../helpers";

const client = hc<AppType>("http://chirpy.test", {
  fetch: (input: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(input, init),
});

describe("hc<AppType> typed client", () => {
  it("signs up, logs in, posts and reads a chirp with typed requests and responses", async () => {
    const email = uniqueEmail("rpc");
    const created = await client.api.users.$post({ json: { email, password: "typed-pw" } });
    expect(created.status).toBe(201);
    const user = await created.json();
    expect(user.email).toBe(email);

    const login = await client.api.login.$post({ json: { email, password: "typed-pw" } });
    expect(login.status).toBe(200);
    if (login.status !== 200) return;
    const { token, id } = await login.json();

    const posted = await client.api.chirps.$post(
      { json: { body: "typed" } },
      { headers: { Authorization: `Bearer ${token}` } },
    );
    expect(posted.status).toBe(201);
    if (posted.status !== 201) return;
    const chirp = await posted.json();
    expect(chirp.user_id).toBe(id);

    const listed = await client.api.chirps.$get({ query: { author_id: id, sort: "desc" } });
    const chirps = await listed.json();
    expect(Array.isArray(chirps) && chirps.map((c) => c.id)).toEqual([chirp.id]);

    const one = await client.api.chirps[":chirpID"].$get({ param: { chirpID: chirp.id } });
    expect(one.status).toBe(200);
  });

  it("rejects wrong request shapes at compile time", () => {
    // @ts-expect-error: the body needs a string `body`
    const call = () => client.api.chirps.$post({ json: { text: "wrong field" } });
    expect(typeof call).toBe("function");
  });
});
