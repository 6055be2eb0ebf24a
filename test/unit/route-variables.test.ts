// Route variables are typed where the middleware sets them: `user` exists only behind requireUser.

import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/middleware/context";
import { requireUser } from "../../src/middleware/require-auth";

describe("typed route variables", () => {
  it("compile only where their middleware runs", () => {
    const routes = new Hono<AppEnv>()
      .get("/private", requireUser, (c) => c.text(c.get("user").id))
      // @ts-expect-error: a public route has no `user`
      .get("/public", (c) => c.text(c.get("user").id));
    expect(routes.routes.length).toBe(3);
  });
});
