// The chirp rules: length limit, the course's profanity filter, ownership on delete.

import { isSessionLive } from "../auth/access";
import type { Caller } from "../caller";
import { fromBase64Url, randomUuid, toBase64Url } from "../crypto/bytes";
import {
  type ChirpPosition,
  deleteChirpOfUser,
  findChirpById,
  insertChirpInLiveSession,
  listChirpsPage,
} from "../db/chirps";
import type { Chirp } from "../db/schema";
import type { Deps } from "../deps";
import {
  badRequest,
  CHIRP_NOT_FOUND,
  FOREIGN_CURSOR,
  forbidden,
  INVALID_ACCESS_TOKEN,
  invalidToken,
  MALFORMED_CURSOR,
  NOT_YOUR_CHIRP,
  notFound,
} from "../errors";

/** The chirp row, as routes may name it (they never import src/db). */
export type { Chirp };

export const MAX_CHIRP_LENGTH = 140;
const PROFANE_WORDS = new Set(["kerfuffle", "sharbert", "fornax"]);

/**
 * The course's rule: split on single spaces; a word equal to a profane word ignoring case
 * becomes "****". A word with punctuation attached ("Sharbert!") is left alone.
 */
export function cleanProfanity(body: string): string {
  return body
    .split(" ")
    .map((word) => (PROFANE_WORDS.has(word.toLowerCase()) ? "****" : word))
    .join(" ");
}

/**
 * Creates a chirp for the holder of a verified access token. The session check and the insert
 * are one statement (the hot path costs one D1 query): an ended session or a deleted user is a 401.
 */
export async function createChirp(deps: Deps, token: Caller, body: string): Promise<Chirp> {
  const chirp = await insertChirpInLiveSession(
    deps.db,
    {
      id: randomUuid(deps.random),
      body: cleanProfanity(body),
      userId: token.userId,
      createdAt: new Date(deps.clock.now()),
    },
    token.sessionId,
  );
  if (!chirp) throw invalidToken(INVALID_ACCESS_TOKEN);
  return chirp;
}

/** The most chirps one page holds, and what a page holds when the caller does not say. */
export const MAX_PAGE_SIZE = 1000;

export interface ChirpListing {
  authorId?: string;
  order: "asc" | "desc";
}

export interface ChirpPage {
  chirps: Chirp[];
  /** The cursor of the next page, or null when no chirp follows this page. */
  next: string | null;
}

/**
 * One page of the timeline: at most `limit` chirps after the cursor's position (from the start
 * without one). A page costs one indexed range read of limit + 1 rows, whatever the table holds.
 */
export async function getChirpPage(
  deps: Deps,
  listing: ChirpListing,
  page: { limit: number; cursor?: string },
): Promise<ChirpPage> {
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, listing);
  const rows = await listChirpsPage(deps.db, { ...listing, limit: page.limit + 1, after });
  const last = rows.length > page.limit ? rows[page.limit - 1] : undefined;
  return {
    chirps: rows.slice(0, page.limit),
    next: last ? encodeCursor(listing, { createdAt: last.createdAt.getTime(), rowid: last.rowid }) : null,
  };
}

// A cursor is opaque to clients: the listing it was made for (order, author) and the last chirp's
// place in the order, as unpadded base64url. It names no secret and grants nothing (chirps are
// public): a forged one only starts a page elsewhere, so it is checked for shape, not signed.
const CURSOR_VERSION = "1";
const CURSOR_PATTERN = /^1\|(asc|desc)\|([0-9a-f-]{36}|)\|(\d{1,16})\|(\d{1,16})$/;

function encodeCursor(listing: ChirpListing, position: ChirpPosition): string {
  const author = listing.authorId?.toLowerCase() ?? "";
  const text = [CURSOR_VERSION, listing.order, author, position.createdAt, position.rowid].join("|");
  return toBase64Url(new TextEncoder().encode(text));
}

function decodeCursor(cursor: string, listing: ChirpListing): ChirpPosition {
  const bytes = cursor.length <= 200 ? fromBase64Url(cursor) : null;
  const match = bytes && CURSOR_PATTERN.exec(new TextDecoder().decode(bytes));
  if (!match) throw badRequest(MALFORMED_CURSOR);
  const [, order, authorId, createdAt, rowid] = match;
  if (order !== listing.order || authorId !== (listing.authorId?.toLowerCase() ?? "")) {
    throw badRequest(FOREIGN_CURSOR);
  }
  const position = { createdAt: Number(createdAt), rowid: Number(rowid) };
  if (!Number.isSafeInteger(position.createdAt) || !Number.isSafeInteger(position.rowid)) {
    throw badRequest(MALFORMED_CURSOR);
  }
  return position;
}

export async function getChirp(deps: Deps, id: string): Promise<Chirp> {
  const chirp = await findChirpById(deps.db, id);
  if (!chirp) throw notFound(CHIRP_NOT_FOUND);
  return chirp;
}

/**
 * Deletes a chirp of the caller: 404 when it does not exist, 403 when someone else wrote it, 401
 * when the caller's session ended while the request was in flight.
 */
export async function deleteChirp(deps: Deps, caller: Caller, id: string): Promise<void> {
  if (await deleteChirpOfUser(deps.db, id, caller, new Date(deps.clock.now()))) return;
  // Nothing was deleted: tell why. The delete itself carried the owner and session checks, so
  // these reads only choose the answer; they cannot let a delete through.
  if (!(await isSessionLive(deps, caller))) throw invalidToken(INVALID_ACCESS_TOKEN);
  const chirp = await findChirpById(deps.db, id);
  if (!chirp) throw notFound(CHIRP_NOT_FOUND);
  throw forbidden(NOT_YOUR_CHIRP);
}
