import { DERIVED_ID_PREFIX } from "../contract/radar-payload";
import { ApiError, type ErrorIssue } from "../errors";

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
 * Callers pass the well-formed event (src/edge/well-formed.ts): the id hashes what is stored.
 */
export async function deriveEventId(event: { _id?: string }): Promise<string> {
  if (event._id) return event._id;
  return `${DERIVED_ID_PREFIX}${await sha256Hex128(encoder.encode(canonicalJson(event)))}`;
}

/**
 * The id of each event, or a 400 when two events of the body would share one: the lake keeps
 * one row per id, so the other event would be lost. Explicit ids cannot reach the derived
 * prefix (the schema refuses it), so a shared id here is two equal events without `_id`.
 */
export async function assignEventIds(events: ReadonlyArray<{ _id?: string }>): Promise<string[]> {
  const ids = await Promise.all(events.map(deriveEventId));
  const first = new Map<string, number>();
  const issues: ErrorIssue[] = [];
  ids.forEach((id, i) => {
    const earlier = first.get(id);
    if (earlier === undefined) first.set(id, i);
    else issues.push({ path: `events.${i}`, message: `event ${i} would get the same id as event ${earlier} (equal events without _id); send each event once` });
  });
  if (issues.length) throw new ApiError("validation_failed", "two events of the body share an id", issues);
  return ids;
}

const HEX_BYTES = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/** The first 128 bits of SHA-256 as 32 hex chars: ample against accidental collisions. */
export async function sha256Hex128(data: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  // From a table: two hashes per request, and toString/padStart made a string per byte.
  let hex = "";
  for (let i = 0; i < 16; i++) hex += HEX_BYTES[digest[i]!];
  return hex;
}
