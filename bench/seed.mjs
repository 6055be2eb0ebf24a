// Rows straight into D1 by SQL alone (recursive CTEs, no per-row round trip), for the scale bench
// (bench/scale.mjs, through Miniflare's D1 binding) and the housekeeping tests (the workers pool's
// env.DB). Every function takes a D1Database and runs statements of at most CHUNK rows each.

const CHUNK = 50_000;

/** A random version 4 UUID, in SQL. */
const UUID = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
  || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`;

/** A chirp body of about 80 characters (half the limit, about what people post). */
const CHIRP_BODY = `'Seeded chirp number ' || i || ': the edge answers in milliseconds, wherever you are.'`;

/** Numbers from `from` to `from + count - 1` as rows of n(i). */
const series = (from, count) =>
  `with recursive n(i) as (select ${from} union all select i + 1 from n where i < ${from + count - 1})`;

async function inChunks(count, run) {
  for (let from = 0; from < count; from += CHUNK) await run(from, Math.min(CHUNK, count - from));
}

/** `count` users `<prefix>-<i>@seed.example`, created at `atMs` (their password hash is not a valid one). */
export async function seedUsers(db, { prefix, count, atMs }) {
  await inChunks(count, (from, n) =>
    db
      .prepare(
        `${series(from, n)} insert into users (id, created_at, updated_at, email, hashed_password)
         select ${UUID}, ?1, ?1, ?2 || '-' || i || '@seed.example', 'seeded' from n`,
      )
      .bind(atMs, prefix)
      .run(),
  );
}

/** The id of seeded user `i % users`, in SQL (an indexed lookup by email). */
const userOf = (users, index = "i") =>
  `(select id from users where email = ?2 || '-' || (${index} % ${users}) || '@seed.example')`;

/** `count` chirps by the `users` seeded users of `prefix`, round robin, `stepMs` apart from `startMs`. */
export async function seedChirps(db, { prefix, users, count, startMs, stepMs = 1 }) {
  await inChunks(count, (from, n) =>
    db
      .prepare(
        `${series(from, n)} insert into chirps (id, created_at, updated_at, body, user_id)
         select ${UUID}, ?1 + i * ?3, ?1 + i * ?3, ${CHIRP_BODY}, ${userOf(users)} from n`,
      )
      .bind(startMs, prefix, stepMs)
      .run(),
  );
}

/**
 * `count` sessions `<tag>-session-<i>` of the seeded users of `prefix`, each with `tokensEach`
 * refresh tokens (all but the last consumed, as under rotation), created at `createdMs`, expiring
 * at `expiresMs`, revoked at `revokedMs` (or live: null).
 */
export async function seedSessions(
  db,
  { prefix, tag, users, count, tokensEach = 1, createdMs, expiresMs, revokedMs = /** @type {number | null} */ (null) },
) {
  await inChunks(count, async (from, n) => {
    await db
      .prepare(
        `${series(from, n)} insert into sessions (id, user_id, created_at, last_used_at, expires_at, revoked_at)
         select ?5 || '-session-' || i, ${userOf(users)}, ?1, ?1, ?3, ?4 from n`,
      )
      .bind(createdMs, prefix, expiresMs, revokedMs, tag)
      .run();
    for (let t = 0; t < tokensEach; t++) {
      await db
        .prepare(
          `${series(from, n)} insert into refresh_tokens
             (token_hash, created_at, updated_at, user_id, expires_at, revoked_at, session_id, consumed_at)
           select lower(hex(randomblob(32))), ?1, ?1, s.user_id, ?3, ?4, s.id, ?5
           from n join sessions s on s.id = ?6 || '-session-' || i`,
        )
        .bind(createdMs, prefix, expiresMs, revokedMs, t < tokensEach - 1 ? createdMs : null, tag)
        .run();
    }
  });
}

/** `count` counters "<kind>:<tag>-<i>" whose window started at `windowStartMs`. */
export async function seedCounters(db, { kind, tag, count, windowStartMs }) {
  await inChunks(count, (from, n) =>
    db
      .prepare(
        `${series(from, n)} insert into login_attempts (key, window_start, count)
         select ?1 || ':' || ?2 || '-' || i, ?3, 1 from n`,
      )
      .bind(kind, tag, windowStartMs)
      .run(),
  );
}

/** `count` known networks "ip4:<tag>.<i>" of the seeded users of `prefix` (round robin), last logged in from at `atMs`. */
export async function seedKnownNetworks(db, { prefix, tag, users, count, atMs }) {
  await inChunks(count, (from, n) =>
    db
      .prepare(
        `${series(from, n)} insert into known_networks (user_id, network, last_login_at)
         select ${userOf(users)}, 'ip4:' || ?3 || '.' || i, ?1 from n`,
      )
      .bind(atMs, prefix, tag)
      .run(),
  );
}

/** One mail token of `purpose` for each of the first `count` seeded users of `prefix`, expiring at `expiresMs`. */
export async function seedAccountTokens(db, { prefix, count, purpose = "password_reset", expiresMs }) {
  await inChunks(count, (from, n) =>
    db
      .prepare(
        `${series(from, n)} insert into account_tokens (token_hash, user_id, purpose, email, created_at, expires_at)
         select lower(hex(randomblob(32))), u.id, ?3, u.email, ?1 - 3600000, ?1
         from n join users u on u.email = ?2 || '-' || i || '@seed.example'`,
      )
      .bind(expiresMs, prefix, purpose)
      .run(),
  );
}
