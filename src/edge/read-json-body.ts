import { ApiError } from "../errors";

export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_JSON_DEPTH = 64;

const TOO_LARGE = () => new ApiError("payload_too_large", `body exceeds ${MAX_BODY_BYTES} bytes`);
const INCOMPLETE = () => new ApiError("body_incomplete", "the request body ended early (client aborted)");

/** A client that hangs up mid-body gets a 400 (it will not see it) and no error log: not our fault. */
async function readChunk(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<ReadableStreamReadResult<Uint8Array>> {
  try {
    return await reader.read();
  } catch {
    throw INCOMPLETE();
  }
}

async function readWhole(request: Request, limit: number): Promise<Uint8Array> {
  let body: ArrayBuffer;
  try {
    body = await request.arrayBuffer();
  } catch {
    throw INCOMPLETE();
  }
  if (body.byteLength > limit) throw TOO_LARGE();
  return new Uint8Array(body);
}

/** Reads the body, refusing as soon as it passes the cap, with or without Content-Length. */
export async function readBodyLimited(request: Request, limit = MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw TOO_LARGE();
  if (!request.body) return new Uint8Array(0);
  // A declared length within the cap bounds the body (the HTTP layer enforces it): one native read.
  if (declared !== null) return readWhole(request, limit);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await readChunk(reader);
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw TOO_LARGE();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** Deepest array/object nesting in JSON text, counted outside strings; stops early past `limit`. */
export function jsonDepthExceeds(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash escapes the next char
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > limit) return true;
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return false;
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Decodes UTF-8 strictly and parses JSON with a nesting cap; every failure is a 400. */
export function parseJsonBody(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new ApiError("invalid_json", "body is not valid UTF-8");
  }
  if (text.length === 0) throw new ApiError("invalid_json", "body is empty");
  if (jsonDepthExceeds(text)) throw new ApiError("invalid_json", `JSON nests deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("invalid_json", "body is not valid JSON");
  }
}
