const encoder = new TextEncoder();

/** JSON with object keys sorted at every level, so key order never changes the id. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * Radar's `_id` when present; otherwise `sha256-` plus 32 hex chars of the SHA-256 of
 * the event's canonical JSON, so a re-sent event gets the same id and dedupes downstream.
 */
export async function deriveEventId(event: { _id?: string }): Promise<string> {
  if (event._id) return event._id;
  return `sha256-${await sha256Hex128(encoder.encode(canonicalJson(event)))}`;
}

/** The first 128 bits of SHA-256 as 32 hex chars: ample against accidental collisions. */
export async function sha256Hex128(data: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  let hex = "";
  for (let i = 0; i < 16; i++) hex += digest[i]!.toString(16).padStart(2, "0");
  return hex;
}
