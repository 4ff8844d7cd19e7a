import { HOUR_MS } from "../../keys";
import type { ManifestEntry, ManifestFile } from "./manifest-schemas";
import { manifestHours } from "./parent-manifests";
import { PARTITION_FIELD_NAME } from "./table-schema";

/**
 * A commit merges the manifests of one UTC month once that month has this many: each append
 * adds one small manifest (every 15 s), so the current month merges about every 4 minutes, and
 * a finished month ends as one manifest that no later commit reads unless it touches its hours.
 * The list then holds one manifest per month of history plus fewer than this many per month
 * still receiving data. Merging never rewrites another month, so a commit's cost is bounded by
 * a month's entries, not by the table's age.
 */
export const MAX_MONTH_MANIFESTS = 16;

/** A manifest of the new snapshot: carried unchanged (`file`), or entries still to write. */
export type Piece = { file: ManifestFile } | { entries: ManifestEntry[] };

const monthOf = (hour: number) => new Date(hour * HOUR_MS).toISOString().slice(0, 7);
const hourOf = (entry: ManifestEntry) => entry.data_file.partition[PARTITION_FIELD_NAME];

/** The month a piece belongs to: that of its latest hour ("?" when unknown). */
function pieceMonth(piece: Piece): string {
  if ("file" in piece) {
    const range = manifestHours(piece.file);
    return range ? monthOf(range.upper) : "?";
  }
  const latest = piece.entries.reduce<number | null>((max, e) => Math.max(max ?? -Infinity, hourOf(e) ?? -Infinity), null);
  return latest === null || latest === -Infinity ? "?" : monthOf(latest);
}

/** Entries split into one piece per month of their partition hour: a merge never spans months. */
function splitByMonth(entries: ManifestEntry[]): Piece[] {
  const months = new Map<string, ManifestEntry[]>();
  for (const entry of entries) {
    const hour = hourOf(entry);
    const month = hour === null ? "?" : monthOf(hour);
    const list = months.get(month);
    if (list) list.push(entry);
    else months.set(month, [entry]);
  }
  return [...months.values()].map((list) => ({ entries: list }));
}

/**
 * Merges the month with the most pieces if it has MAX_MONTH_MANIFESTS or more (one month per
 * commit: the work of a commit stays bounded). `read` gives a carried manifest's entries,
 * `carry` maps an entry to what the new snapshot keeps of it (null: dropped).
 */
export async function mergeFullestMonth(
  pieces: Piece[],
  read: (file: ManifestFile) => Promise<ManifestEntry[]>,
  carry: (entry: ManifestEntry) => ManifestEntry | null,
): Promise<Piece[]> {
  const months = new Map<string, Piece[]>();
  for (const piece of pieces) {
    const month = pieceMonth(piece);
    months.set(month, [...(months.get(month) ?? []), piece]);
  }
  const fullest = [...months.values()].reduce<Piece[]>((a, b) => (b.length > a.length ? b : a), []);
  if (fullest.length < MAX_MONTH_MANIFESTS) return pieces;
  const entries = await Promise.all(fullest.map(async (p) => ("file" in p ? await read(p.file) : p.entries)));
  const merged = entries.flat().flatMap((e) => carry(e) ?? []);
  return [...pieces.filter((p) => !fullest.includes(p)), ...splitByMonth(merged)];
}
