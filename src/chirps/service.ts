// The chirp rules: length limit, the course's profanity filter, ownership on delete.

import { isSessionLive } from "../auth/access";
import type { Caller } from "../caller";
import { randomUuid } from "../crypto/bytes";
import { deleteChirpOfUser, findChirpById, insertChirpInLiveSession, listChirps } from "../db/chirps";
import type { Chirp } from "../db/schema";
import type { Deps } from "../deps";
import { CHIRP_NOT_FOUND, forbidden, INVALID_ACCESS_TOKEN, invalidToken, NOT_YOUR_CHIRP, notFound } from "../errors";

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

export function getChirps(deps: Deps, options: { authorId?: string; order: "asc" | "desc" }): Promise<Chirp[]> {
  return listChirps(deps.db, options);
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
