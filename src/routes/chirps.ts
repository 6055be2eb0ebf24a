import { Hono } from "hono";
import { createChirp, deleteChirp, getChirp, getChirps } from "../chirps/service";
import type { AppEnv } from "../middleware/context";
import { requireAccessToken } from "../middleware/require-auth";
import { chirpIdSchema, chirpSchema, chirpsQuerySchema, jsonBody, validate } from "../validation";
import { toChirpJson } from "./serializers";

export const chirpsRoutes = new Hono<AppEnv>()
  .post("/", requireAccessToken, jsonBody(chirpSchema), async (c) => {
    const chirp = await createChirp(c.get("deps"), c.get("accessToken"), c.req.valid("json").body);
    return c.json(toChirpJson(chirp), 201);
  })
  .get("/", validate("query", chirpsQuerySchema), async (c) => {
    const { author_id, sort } = c.req.valid("query");
    const chirps = await getChirps(c.get("deps"), { authorId: author_id, order: sort });
    return c.json(chirps.map(toChirpJson), 200);
  })
  .get("/:chirpID", validate("param", chirpIdSchema), async (c) => {
    const chirp = await getChirp(c.get("deps"), c.req.valid("param").chirpID);
    return c.json(toChirpJson(chirp), 200);
  })
  // The delete carries the session check in its one statement: the signature check suffices here.
  .delete("/:chirpID", requireAccessToken, validate("param", chirpIdSchema), async (c) => {
    await deleteChirp(c.get("deps"), c.get("accessToken"), c.req.valid("param").chirpID);
    return c.body(null, 204);
  });
