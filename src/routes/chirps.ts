import { Hono } from "hono";
import * as v from "valibot";
import { createChirp, deleteChirp, getChirp, getChirpPage, MAX_CHIRP_LENGTH, MAX_PAGE_SIZE } from "../chirps/service";
import { chirpTooLong, invalidField, MALFORMED_CURSOR } from "../errors";
import { type AppEnv, mayReadFromReplica } from "../middleware/context";
import { requireAccessToken } from "../middleware/require-auth";
import { codePoints, documented, jsonBody, named, uuid, validate } from "../middleware/validation";
import { BODY_FAULTS, describeRoute, errors, UNAUTHORIZED } from "./describe";
import { chirpResponseSchema, toChirpJson } from "./responses";

const chirpSchema = named(
  "ChirpInput",
  v.object({
    body: v.pipe(
      v.string(invalidField.notString("body")),
      documented(
        v.check<string, string>((value) => value.trim().length > 0, invalidField.empty("body")),
        { minLength: 1, pattern: "\\S", description: "At least one non-space character" },
      ),
      documented(
        v.check<string, string>((value) => codePoints(value) <= MAX_CHIRP_LENGTH, chirpTooLong(MAX_CHIRP_LENGTH)),
        { maxLength: MAX_CHIRP_LENGTH },
      ),
    ),
  }),
);

const SORT_ORDERS = ["asc", "desc"] as const;

/** What a cursor looks like from outside: unpadded base64url (its content is checked by the service). */
const CURSOR_SHAPE = /^[A-Za-z0-9_-]{1,200}$/;
const limitMessage = invalidField.notIntegerIn("limit", 1, MAX_PAGE_SIZE);
const chirpsQuerySchema = v.object({
  author_id: v.optional(uuid("author_id")),
  sort: v.optional(v.picklist(SORT_ORDERS, invalidField.notOneOf("sort", SORT_ORDERS)), "asc"),
  limit: v.optional(
    v.pipe(
      v.string(limitMessage),
      documented(
        v.check<string, string>(
          (value) => /^[1-9]\d{0,3}$/.test(value) && Number(value) <= MAX_PAGE_SIZE,
          limitMessage,
        ),
        {
          type: "integer",
          minimum: 1,
          maximum: MAX_PAGE_SIZE,
          default: MAX_PAGE_SIZE,
          description: "Chirps per page",
        },
      ),
    ),
  ),
  cursor: v.optional(
    v.pipe(
      v.string(MALFORMED_CURSOR),
      documented(
        v.check<string, string>((value) => CURSOR_SHAPE.test(value), MALFORMED_CURSOR),
        {
          pattern: CURSOR_SHAPE.source,
          description:
            'Where the page starts: the cursor of the previous answer\'s Link rel="next" URL, unchanged (opaque; valid only with the same sort and author_id)',
        },
      ),
    ),
  ),
});

/** The URL of the page after this one: the request's own, with the next cursor (RFC 8288 Link). */
function nextLink(requestUrl: string, cursor: string): string {
  const url = new URL(requestUrl);
  url.searchParams.set("cursor", cursor);
  return `<${url.href}>; rel="next"`;
}

const chirpIdSchema = v.object({ chirpID: uuid("chirp id") });

const byId = { chirpID: "$response.body#/id" };

// Create and delete carry the session check in their one statement: the signature check suffices.
export const chirpsRoutes = new Hono<AppEnv>()
  .post(
    "/",
    describeRoute({
      summary: "Post a chirp (≤ 140 characters; profanity replaced by ****)",
      tag: "chirps",
      security: "accessToken",
      responses: {
        201: ["Created", chirpResponseSchema],
        400: ["Invalid or too long", errors(...BODY_FAULTS, "chirp_too_long")],
        ...UNAUTHORIZED,
      },
      links: {
        201: {
          getChirp: { operationId: "getApiChirpsChirpID", description: "Read it back", parameters: byId },
          deleteChirp: { operationId: "deleteApiChirpsChirpID", description: "Delete it", parameters: byId },
        },
      },
    }),
    requireAccessToken,
    jsonBody(chirpSchema),
    async (c) => {
      const chirp = await createChirp(c.get("deps"), c.get("accessToken"), c.req.valid("json").body);
      return c.json(toChirpJson(chirp), 201);
    },
  )
  .get(
    "/",
    describeRoute({
      summary:
        'List chirps by created_at (ties in insertion order), a page at a time: when more follow, the Link header (rel="next") gives the next page\'s URL',
      tag: "chirps",
      responses: {
        200: ["Chirps", [chirpResponseSchema]],
        400: ["Bad query", errors("invalid_field", "malformed_cursor", "foreign_cursor")],
      },
      headers: {
        200: {
          Link: 'When more chirps follow: `<URL of the next page>; rel="next"` (RFC 8288), the same query with a cursor',
        },
      },
    }),
    mayReadFromReplica,
    validate("query", chirpsQuerySchema),
    async (c) => {
      const { author_id, sort, limit, cursor } = c.req.valid("query");
      const page = await getChirpPage(
        c.get("deps"),
        { authorId: author_id, order: sort },
        { limit: limit === undefined ? MAX_PAGE_SIZE : Number(limit), cursor },
      );
      if (page.next) c.header("Link", nextLink(c.req.url, page.next));
      return c.json(page.chirps.map(toChirpJson), 200);
    },
  )
  .get(
    "/:chirpID",
    describeRoute({
      summary: "Get one chirp",
      tag: "chirps",
      responses: {
        200: ["The chirp", chirpResponseSchema],
        400: ["Malformed id", errors("invalid_field")],
        404: ["Not found", errors("chirp_not_found")],
      },
    }),
    mayReadFromReplica,
    validate("param", chirpIdSchema),
    async (c) => {
      const chirp = await getChirp(c.get("deps"), c.req.valid("param").chirpID);
      return c.json(toChirpJson(chirp), 200);
    },
  )
  .delete(
    "/:chirpID",
    describeRoute({
      summary: "Delete one of your chirps",
      tag: "chirps",
      security: "accessToken",
      responses: {
        204: ["Deleted"],
        400: ["Malformed id", errors("invalid_field")],
        ...UNAUTHORIZED,
        403: ["Not the author", errors("not_your_chirp")],
        404: ["Not found", errors("chirp_not_found")],
      },
    }),
    requireAccessToken,
    validate("param", chirpIdSchema),
    async (c) => {
      await deleteChirp(c.get("deps"), c.get("accessToken"), c.req.valid("param").chirpID);
      return c.body(null, 204);
    },
  );
