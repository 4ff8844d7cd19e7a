const encoder = new TextEncoder();
const SHA1_BYTES = 20;
// Imported HMAC keys are cached per isolate: importKey costs more than the HMAC itself.
const keyCache = new Map<string, Promise<CryptoKey>>();

function importHmacKey(token: string): Promise<CryptoKey> {
  let key = keyCache.get(token);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(token), { name: "HMAC", hash: "SHA-1" }, false, ["verify"]);
    keyCache.set(token, key);
  }
  return key;
}

/** Radar's signing ids are UUID- or ObjectId-sized; anything far longer is not Radar's. */
export const MAX_SIGNING_ID_CHARS = 256;
const MAX_TOKENS = 2;

export type TokenList = { tokens: string[] } | { error: string };

/**
 * Splits RADAR_WEBHOOK_TOKEN into its rotation tokens (current, next). Refuses rather than
 * guesses: an empty entry or a third token is a typo that would silently drop a token.
 */
export function parseTokenList(secret: string | undefined): TokenList {
  const entries = (secret ?? "").split(",").map((t) => t.trim());
  if (entries.every((t) => t.length === 0)) return { error: "RADAR_WEBHOOK_TOKEN is not set" };
  if (entries.some((t) => t.length === 0)) return { error: "RADAR_WEBHOOK_TOKEN has an empty entry" };
  if (entries.length > MAX_TOKENS) return { error: `RADAR_WEBHOOK_TOKEN has ${entries.length} tokens; at most ${MAX_TOKENS} are allowed` };
  return { tokens: entries };
}

/** A hex digit's value (the caller has checked it is one): 0-9, then a-f or A-F. */
const hexValue = (code: number) => (code <= 0x39 ? code - 0x30 : (code | 0x20) - 0x57);

/** Decodes a lowercase/uppercase hex or base64 SHA-1 digest; null when it is neither. */
export function decodeDigest(signature: string): Uint8Array | null {
  const value = signature.trim();
  if (/^[0-9a-fA-F]{40}$/.test(value)) {
    const bytes = new Uint8Array(SHA1_BYTES);
    for (let i = 0; i < SHA1_BYTES; i++) bytes[i] = (hexValue(value.charCodeAt(2 * i)) << 4) | hexValue(value.charCodeAt(2 * i + 1));
    return bytes;
  }
  if (/^[A-Za-z0-9+/]{27}=$/.test(value)) {
    const raw = atob(value);
    return Uint8Array.from(raw, (ch) => ch.charCodeAt(0));
  }
  return null;
}

/**
 * True when `signature` is HMAC-SHA1(token, message) for one of the tokens.
 * `crypto.subtle.verify` compares in constant time.
 */
export async function verifySignature(tokens: string[], message: string, signature: string | undefined): Promise<boolean> {
  if (!signature || tokens.length === 0 || message.length === 0 || message.length > MAX_SIGNING_ID_CHARS) return false;
  const digest = decodeDigest(signature);
  if (!digest) return false;
  const data = encoder.encode(message);
  for (const token of tokens) {
    if (await crypto.subtle.verify("HMAC", await importHmacKey(token), digest, data)) return true;
  }
  return false;
}
