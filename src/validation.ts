// Request validation with zod through Hono's validator. Every failure is a 400 whose message
// names the field and the problem.

import type { ValidationTargets } from "hono";
import { validator } from "hono/validator";
import { z } from "zod";
import { normalizeEmail } from "./auth/email";
import { MAX_CHIRP_LENGTH } from "./chirps/service";
import { badRequest } from "./errors";

export const MAX_PASSWORD_LENGTH = 1024;

const email = z
  .string({ error: "email must be a string" })
  .transform((value, ctx) => {
    const normalized = normalizeEmail(value);
    if (normalized === null) {
      ctx.addIssue({ code: "custom", message: "email is not a valid email address" });
      return z.NEVER;
    }
    return normalized;
  });

const password = z
  .string({ error: "password must be a string" })
  .min(1, "password must not be empty")
  .refine((value) => [...value].length <= MAX_PASSWORD_LENGTH, `password must be at most ${MAX_PASSWORD_LENGTH} characters`);

export const credentialsSchema = z.object({ email, password });

export const chirpSchema = z.object({
  body: z
    .string({ error: "body must be a string" })
    .refine((value) => value.trim().length > 0, "body must not be empty")
    // Counted in Unicode code points, not UTF-16 units: an emoji is one character.
    .refine((value) => [...value].length <= MAX_CHIRP_LENGTH, `Chirp is too long (max ${MAX_CHIRP_LENGTH} characters)`),
});

const uuid = (field: string) => z.uuid({ error: `${field} must be a UUID` });

export const chirpsQuerySchema = z.object({
  author_id: uuid("author_id").optional(),
  sort: z.enum(["asc", "desc"], { error: "sort must be asc or desc" }).default("asc"),
});

export const chirpIdSchema = z.object({ chirpID: uuid("chirp id") });

export const polkaWebhookSchema = z.object({
  event: z.string({ error: "event must be a string" }),
  data: z.object({ user_id: z.string({ error: "data.user_id must be a string" }) }, { error: "data must be an object" }),
});

// Every schema above sets its own messages, naming the field, so the first issue reads on its own.
function firstIssueMessage(error: z.ZodError): string {
  return error.issues[0]?.message ?? "Invalid request";
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest(firstIssueMessage(result.error));
  return result.data;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("Request body is not valid JSON");
  }
}

/**
 * Validates a JSON body. The body is parsed whatever its Content-Type (Chirpy clients and curl -d
 * do not always send application/json); malformed JSON and non-object bodies are 400s.
 */
export const jsonBody = <S extends z.ZodType>(schema: S) =>
  validator("json", async (value, c): Promise<z.output<S>> => {
    // With a JSON Content-Type Hono has parsed the body already (a 400 if malformed).
    const parsed = c.req.bodyCache.json ? value : parseJson(new TextDecoder().decode(await c.req.arrayBuffer()));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw badRequest("Request body must be a JSON object");
    }
    return parseWith(schema, parsed);
  });

export const validate = <T extends keyof ValidationTargets, S extends z.ZodType>(target: T, schema: S) =>
  validator(target, (value): z.output<S> => parseWith(schema, value));
