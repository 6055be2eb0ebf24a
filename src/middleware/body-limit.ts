// Request body limit with a JSON 413. Hono's bodyLimit cannot be used as is: on a chunked body
// it stops reading mid-stream with its reader still locked, and workerd then cannot reuse the
// keep-alive connection, so the client's next request on it hangs. This one drains the rest.

import { createMiddleware } from "hono/factory";
import { payloadTooLarge } from "../errors";

/** Past this much, the rest of an oversized body is cancelled (the connection closes) instead of drained. */
const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

export const limitBody = (maxBytes: number) => {
  return createMiddleware(async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return next();
    const declared = c.req.header("Content-Length");
    if (declared !== undefined && !c.req.header("Transfer-Encoding")) {
      // The runtime knows where a sized body ends; nothing to drain.
      if (Number(declared) > maxBytes) throw payloadTooLarge(maxBytes);
      return next();
    }
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await drain(reader, size);
        throw payloadTooLarge(maxBytes);
      }
      chunks.push(value);
    }
    const buffer = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      buffer.set(chunk, offset);
      offset += chunk.byteLength;
    }
    c.req.raw = new Request(c.req.raw, { body: buffer });
    return next();
  });
};

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, alreadyRead: number): Promise<void> {
  let size = alreadyRead;
  while (size <= MAX_DRAIN_BYTES) {
    const { done, value } = await reader.read();
    if (done) return;
    size += value.byteLength;
  }
  await reader.cancel();
}
