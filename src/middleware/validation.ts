// Request validation with valibot through Hono's validator. Every failure is a 400 whose message
// names the field and the problem.

import { validator } from "hono/validator";
import * as v from "valibot";
import { MAX_EMAIL_LENGTH, normalizeEmail } from "../auth/email";
import { badRequest, INVALID_EMAIL, INVALID_JSON, invalidField, NOT_A_JSON_OBJECT } from "../errors";

const MAX_PASSWORD_LENGTH = 1024;
const MAX_PASSKEY_NAME_LENGTH = 64;

// Lengths are counted in Unicode code points, not UTF-16 units: an emoji is one character
// (as JSON Schema's maxLength counts them).
export const codePoints = (value: string) => [...value].length;

// What a custom check means in JSON Schema, so the OpenAPI document states every rule the server
// enforces (see openapi.ts); a test sends values valid and invalid by the document.
const jsonSchemaOfCheck = new WeakMap<object, Record<string, unknown>>();
// The name a schema has among the document's components (#/components/schemas/<name>), given
// beside its definition; unnamed schemas are written inline.
const schemaNames = new WeakMap<object, string>();
export const named = <S extends v.GenericSchema>(name: string, schema: S): S => {
  schemaNames.set(schema, name);
  return schema;
};
export const nameOf = (schema: object) => schemaNames.get(schema);

// What a validator checks, carried on the middleware itself: the document is built from the
// validators a route runs, so each input is stated once, where it is checked.
const INPUT = Symbol("validated-input");
export interface ValidatedInput {
  target: "json" | "query" | "param" | "header";
  schema: v.GenericSchema;
}
/** The input a handler of a route validates, if it is one of the validators below. */
export const inputOf = (handler: unknown): ValidatedInput | undefined =>
  (handler as { [INPUT]?: ValidatedInput })[INPUT];
export const carrying = <H extends object>(handler: H, input: ValidatedInput): H =>
  Object.assign(handler, { [INPUT]: input });

/** The JSON Schema a custom check adds to its field in the OpenAPI document, if any. */
export const jsonSchemaOf = (action: object) => jsonSchemaOfCheck.get(action);
export const documented = <A extends object>(action: A, jsonSchema: Record<string, unknown>): A => {
  jsonSchemaOfCheck.set(action, jsonSchema);
  return action;
};

// The email rule (auth/email.ts) as a pattern: one "@", a non-empty local part, a dotted domain,
// no whitespace, control characters or , ; < > " [ ] ( ) \; surrounding spaces are trimmed and the
// address lowercased.
/** At most `max` code points (as JSON Schema's maxLength counts; valibot's maxLength counts UTF-16 units). */
const atMost = (field: string, max: number) =>
  documented(
    v.check<string, string>((value) => codePoints(value) <= max, invalidField.tooLong(field, max)),
    { maxLength: max },
  );

const NOT_IN_ADDRESS = '\\s\\x00-\\x1f\\x7f-\\x9f,;<>"\\[\\]()\\\\';
const EMAIL_PATTERN = `^\\s*[^@${NOT_IN_ADDRESS}]+@[^@${NOT_IN_ADDRESS}.]+(\\.[^@${NOT_IN_ADDRESS}.]+)+\\s*$`;

export const email = v.pipe(
  v.string(invalidField.notString("email")),
  documented(
    v.check<string, string>((value) => normalizeEmail(value) !== null, INVALID_EMAIL),
    {
      maxLength: MAX_EMAIL_LENGTH,
      pattern: EMAIL_PATTERN,
      description:
        'Trimmed and lowercased; one @, a dotted domain, no whitespace, control characters (C0, DEL, C1) or any of , ; < > " [ ] ( ) \\; at most 254 code points',
    },
  ),
  v.transform((value) => normalizeEmail(value) as string),
);

export const password = v.pipe(
  v.string(invalidField.notString("password")),
  v.minLength(1, invalidField.empty("password")),
  documented(
    v.check<string, string>(
      (value) => codePoints(value) <= MAX_PASSWORD_LENGTH,
      invalidField.tooLong("password", MAX_PASSWORD_LENGTH),
    ),
    { maxLength: MAX_PASSWORD_LENGTH },
  ),
);

export const credentialsSchema = named("Credentials", v.object({ email, password }));

/** A credential change: a new email, a new password, or both (what is left out stays as it is). */
export const credentialChangeSchema = named(
  "CredentialChange",
  v.pipe(
    v.object({ email: v.optional(email), password: v.optional(password) }),
    v.check(
      (body) => body.email !== undefined || body.password !== undefined,
      invalidField.atLeastOne("email", "password"),
    ),
  ),
);

/** A base64url field (WebAuthn's binary fields in JSON), refused with the field's name. */
const base64url = (field: string, maxLength = 8192) =>
  v.pipe(
    v.string(invalidField.notString(field)),
    v.regex(/^[A-Za-z0-9_-]+$/, invalidField.notBase64Url(field)),
    v.maxLength(maxLength, invalidField.tooLong(field, maxLength)),
  );

const publicKeyType = v.literal("public-key", invalidField.notOneOf("credential.type", ["public-key"]));

/** A PublicKeyCredential's JSON (toJSON()): what every ceremony sends, and `response`'s own fields. */
function credentialWith<const Response extends v.ObjectEntries>(response: Response) {
  return v.looseObject(
    {
      id: base64url("credential.id", 1024),
      rawId: base64url("credential.rawId", 1024),
      type: publicKeyType,
      response: v.looseObject(
        { clientDataJSON: base64url("credential.response.clientDataJSON"), ...response },
        invalidField.notObject("credential.response"),
      ),
      clientExtensionResults: v.optional(v.record(v.string(), v.unknown())),
      authenticatorAttachment: v.optional(v.nullable(v.string())),
    },
    invalidField.notObject("credential"),
  );
}

/** A passkey registration: RegistrationResponseJSON (PublicKeyCredential.toJSON()), and a name for it. */
export const passkeyRegistrationSchema = named(
  "PasskeyRegistration",
  v.object({
    credential: credentialWith({
      attestationObject: base64url("credential.response.attestationObject"),
      transports: v.optional(v.array(v.string())),
    }),
    name: v.optional(
      v.pipe(
        v.string(invalidField.notString("name")),
        documented(
          v.check<string, string>(
            (value) => codePoints(value) <= MAX_PASSKEY_NAME_LENGTH,
            invalidField.tooLong("name", MAX_PASSKEY_NAME_LENGTH),
          ),
          { maxLength: MAX_PASSKEY_NAME_LENGTH },
        ),
        v.description("How the passkey is listed (default: Passkey)"),
      ),
    ),
  }),
);

/** A passkey sign-in: AuthenticationResponseJSON (PublicKeyCredential.toJSON()). */
export const passkeyAssertionSchema = named(
  "PasskeyAssertion",
  v.object({
    credential: credentialWith({
      authenticatorData: base64url("credential.response.authenticatorData"),
      signature: base64url("credential.response.signature"),
      userHandle: v.optional(v.nullable(base64url("credential.response.userHandle", 1024))),
    }),
  }),
);

/** A code from an authenticator app: six digits. */
const totpCode = v.pipe(
  v.string(invalidField.notString("code")),
  v.regex(/^\d{6}$/, invalidField.notSixDigits("code")),
);
const recoveryCode = v.pipe(
  v.string(invalidField.notString("recovery_code")),
  v.nonEmpty(invalidField.empty("recovery_code")),
  atMost("recovery_code", 64),
);

/** The second step of a login: the mfa_token and either a TOTP code or a recovery code. */
export const secondStepSchema = named(
  "SecondStep",
  v.pipe(
    v.object({
      mfa_token: v.pipe(
        v.string(invalidField.notString("mfa_token")),
        v.regex(/^[0-9a-f]{64}$/, invalidField.notToken("mfa_token")),
      ),
      code: v.optional(totpCode),
      recovery_code: v.optional(recoveryCode),
    }),
    v.check(
      (body) => body.code !== undefined || body.recovery_code !== undefined,
      invalidField.oneOf("code", "recovery_code"),
    ),
  ),
);

export const passwordSchema = named("PasswordCheck", v.object({ password }));
export const codeSchema = named("TotpCode", v.object({ code: totpCode }));
/** A TOTP code, or a recovery code (turning two-factor authentication off with a lost phone). */
export const anyCodeSchema = named(
  "AnyCode",
  v.object({
    code: v.pipe(v.string(invalidField.notString("code")), v.nonEmpty(invalidField.empty("code")), atMost("code", 64)),
  }),
);

/** A UUID field, refused with the field's name. */
export const uuid = (field: string) =>
  v.pipe(v.string(invalidField.notUuid(field)), v.uuid(invalidField.notUuid(field)));

export function parseWith<S extends v.GenericSchema>(schema: S, value: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (!result.success) throw badRequest(issueMessage(result.issues[0]));
  return result.output;
}

// Every schema above sets its own message from the catalogue (errors.ts), naming the field; only a
// missing key gets valibot's generic "Invalid key" text, so it is reworded here.
function issueMessage(issue: v.BaseIssue<unknown>): string {
  const path = v.getDotPath(issue);
  const anObject = issue.type === "object" || issue.type === "loose_object" || issue.type === "strict_object";
  if (anObject && issue.input === undefined && path) return invalidField.required(path);
  return issue.message;
}

/** The Content-Types whose bodies hono/validator parses as JSON (its own rule, repeated). */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;
const isJsonMediaType = (contentType: string | undefined) =>
  contentType !== undefined && JSON_MEDIA_TYPE.test(contentType.split(";")[0].trim());

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest(INVALID_JSON);
  }
}

/**
 * Validates a JSON body. The body is parsed whatever its Content-Type (Chirpy clients and curl -d
 * do not always send application/json); malformed JSON and non-object bodies are 400s.
 */
export const jsonBody = <S extends v.GenericSchema>(schema: S) =>
  carrying(
    validator("json", async (value, c): Promise<v.InferOutput<S>> => {
      // With a JSON Content-Type Hono has parsed the body already (`value`; when that fails it throws
      // an HTTPException that app.onError answers with INVALID_JSON, as parseJson does here).
      // Otherwise read it as bytes (Request.text() warns on a non-text Content-Type) and parse here.
      const parsed = isJsonMediaType(c.req.header("Content-Type"))
        ? value
        : parseJson(new TextDecoder().decode(await c.req.arrayBuffer()));
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw badRequest(NOT_A_JSON_OBJECT);
      }
      return parseWith(schema, parsed);
    }),
    { target: "json", schema },
  );

export const validate = <T extends "query" | "param", S extends v.GenericSchema>(target: T, schema: S) =>
  carrying(
    validator(target, (value): v.InferOutput<S> => parseWith(schema, value)),
    { target, schema },
  );
