// Every answer any test sees is one the OpenAPI document describes: its status is listed for the
// operation (or is one every operation may answer, under `default`), and an error's code is one the
// document lists for that status. Checked on every response of appWith() and api(), so the whole
// suite keeps the document honest; a request to no described operation is not checked.

import { createApp } from "../src/app";
import { openApiDocument } from "../src/routes/openapi";

interface ResponseDoc {
  content?: Record<string, { schema?: Record<string, unknown> }>;
}
type Operations = Record<string, { responses: Record<string, ResponseDoc> }>;

let matchers: { pattern: RegExp; literal: boolean; operations: Operations; path: string }[] | undefined;

function operationOf(method: string, url: string) {
  const { paths } = openApiDocument(createApp().routes) as { paths: Record<string, Operations> };
  matchers ??= Object.entries(paths).map(([path, operations]) => ({
    pattern: new RegExp(`^${path.replace(/\{\w+\}/g, "[^/]+")}$`),
    literal: !path.includes("{"),
    operations,
    path,
  }));
  const pathname = new URL(url).pathname;
  // A literal path wins over a templated one (/api/sessions over /api/sessions/{id}).
  const found = matchers.filter((m) => m.pattern.test(pathname)).sort((a, b) => Number(b.literal) - Number(a.literal));
  const match = found.find((m) => m.operations[method.toLowerCase()]);
  return match && { name: `${method.toUpperCase()} ${match.path}`, operation: match.operations[method.toLowerCase()] };
}

/** The codes a documented error response lists (its schema's code enum). */
function codesOf(response: ResponseDoc | undefined): string[] | null {
  const schema = response?.content?.["application/json"]?.schema as
    | { allOf?: { properties?: { code?: { enum?: string[] } } }[] }
    | undefined;
  const codes = schema?.allOf?.flatMap((part) => part.properties?.code?.enum ?? []);
  return codes && codes.length > 0 ? codes : null;
}

/** Checks one answer against the document; throws, failing the test that made it, if it is not described. */
export async function checkDocumented(method: string, url: string, res: Response): Promise<void> {
  const found = operationOf(method, url);
  if (!found) return;
  const { name, operation } = found;
  const response =
    operation.responses[String(res.status)] ?? (res.status >= 400 ? operation.responses.default : undefined);
  let code: string | undefined;
  if (res.status >= 400 && res.headers.get("Content-Type")?.includes("application/json")) {
    code = ((await res.clone().json()) as { code?: string }).code;
  }
  const listed = response && (res.status < 400 || codesOf(response)?.includes(code ?? ""));
  if (!listed) {
    throw new Error(
      `The OpenAPI document does not describe this answer: ${name} → ${res.status}${code ? ` ${code}` : ""}. ` +
        "List it in the operation's describeRoute (src/routes/).",
    );
  }
}
