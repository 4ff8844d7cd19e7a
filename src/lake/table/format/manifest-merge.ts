import { HOUR_MS } from "../../keys";
import type { ManifestEntry, ManifestFile } from "./manifest-schemas";
import { manifestHours } from "./parent-manifests";
import { PARTITION_FIELD_NAME } from "./table-schema";

/**
 * A commit merges the manifests of one UTC month: of the newest month once it has this many
 * (each append adds one small manifest, every 15 s, so about every 4 minutes), of an older month
 * as soon as it has two (the month turned, or late data arrived). A month thus settles into one
 * manifest that no later commit reads unless it touches its hours, and the list holds one
 * manifest per month of history plus fewer than this many for the newest. Merging never rewrites
 * another month, so a commit's cost is bounded by a month's entries, not by the table's age.
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
 * Merges at most one month per commit (the work of a commit stays bounded): the one with the most
 * pieces among the newest month at MAX_MONTH_MANIFESTS and the older months with two or more.
 * `read` gives a carried manifest's entries, `carry` what the new snapshot keeps of an entry.
 */
export async function mergeOneMonth(
  pieces: Piece[],
  read: (file: ManifestFile) => Promise<ManifestEntry[]>,
  carry: (entry: ManifestEntry) => ManifestEntry | null,
): Promise<Piece[]> {
  const months = new Map<string, Piece[]>();
  for (const piece of pieces) {
    const month = pieceMonth(piece);
    months.set(month, [...(months.get(month) ?? []), piece]);
  }
  const newest = [...months.keys()].filter((m) => m !== "?").sort().at(-1);
  const due = [...months].filter(([month, group]) => group.length >= (month === newest ? MAX_MONTH_MANIFESTS : 2)).map(([, group]) => group);
  if (!due.length) return pieces;
  const chosen = due.reduce((a, b) => (b.length > a.length ? b : a));
  const entries = await Promise.all(chosen.map(async (p) => ("file" in p ? await read(p.file) : p.entries)));
  const merged = entries.flat().flatMap((e) => carry(e) ?? []);
  return [...pieces.filter((p) => !chosen.includes(p)), ...splitByMonth(merged)];
}
