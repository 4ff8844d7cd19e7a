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

/** Splits the secret into its (at most two) rotation tokens. */
export function parseTokens(secret: string | undefined): string[] {
  return (secret ?? "").split(",").map((t) => t.trim()).filter((t) => t.length > 0).slice(0, 2);
}

/** Decodes a lowercase/uppercase hex or base64 SHA-1 digest; null when it is neither. */
export function decodeDigest(signature: string): Uint8Array | null {
  const value = signature.trim();
  if (/^[0-9a-fA-F]{40}$/.test(value)) {
    const bytes = new Uint8Array(SHA1_BYTES);
    for (let i = 0; i < SHA1_BYTES; i++) bytes[i] = parseInt(value.slice(i * 2, i * 2 + 2), 16);
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
  if (!signature || tokens.length === 0 || message.length === 0) return false;
  const digest = decodeDigest(signature);
  if (!digest) return false;
  const data = encoder.encode(message);
  for (const token of tokens) {
    if (await crypto.subtle.verify("HMAC", await importHmacKey(token), digest, data)) return true;
  }
  return false;
}
