import { ENTRY_CHARS, KEY_CHARS, MinuteIndex, WINDOW_MINUTES, findInPacked } from "./guard-index";
import { writeBoundedRows } from "./guard-storage";

/**
 * Storage of one guard shard: per minute, rows ("parts") of packed entries plus their ids' 32-bit
 * prefixes, so a wake-up reads 8 chars per key instead of 64. Each flush appends to the open part,
 * which SQLite rewrites whole, so a part is closed once it holds PART_ENTRIES entries (72 chars
 * each, 72 KB, far under the 2 MB row limit): a minute at any rate is split over many small rows
 * instead of one growing row rewritten every second. Rows form a ring of minute slots overwritten
 * only after the window, so expiry writes nothing.
 */
export const PART_ENTRIES = 1_000;
const SLOT_COUNT = WINDOW_MINUTES + 1;

const SCHEMA = `CREATE TABLE IF NOT EXISTS parts (slot INTEGER NOT NULL, part INTEGER NOT NULL, minute INTEGER NOT NULL,
  n INTEGER NOT NULL, ids TEXT NOT NULL, entries TEXT NOT NULL, PRIMARY KEY (slot, part))`;
const APPEND = `INSERT INTO parts (slot, part, minute, n, ids, entries) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT(slot, part) DO UPDATE SET
    n = CASE WHEN parts.minute = excluded.minute THEN parts.n + excluded.n ELSE excluded.n END,
    ids = CASE WHEN parts.minute = excluded.minute THEN parts.ids || excluded.ids ELSE excluded.ids END,
    entries = CASE WHEN parts.minute = excluded.minute THEN parts.entries || excluded.entries ELSE excluded.entries END,
    minute = excluded.minute
  RETURNING length(ids) + length(entries) + 24 AS bytes`;
// The single-row-per-minute table of the previous version: read until its rows leave the window.
const LEGACY = "slots";

/** Where the next entries of the current minute go. */
interface OpenPart {
  minute: number;
  part: number;
  entries: number;
}

export class BindingRows {
  private open: OpenPart = { minute: -1, part: 0, entries: 0 };
  private legacy = false;

  constructor(private readonly storage: DurableObjectStorage) {}

  /**
   * Creates the table and fills `index` with the newest minutes up to its bound: the rows older
   * than what the index can hold are never read, so a wake-up reads at most the bound's keys.
   */
  load(index: MinuteIndex, nowMinute: number, maxKeys: number): void {
    const sql = this.storage.sql;
    sql.exec(SCHEMA);
    this.legacy = sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", LEGACY).toArray().length > 0;
    const since = nowMinute - WINDOW_MINUTES;
    // Legacy minutes all precede the new table's, so the index still sees minutes in order.
    if (this.legacy) {
      for (const row of sql.exec<{ minute: number; entries: string }>(`SELECT minute, entries FROM ${LEGACY} WHERE minute > ? ORDER BY minute`, since)) index.addPacked(row.entries, row.minute);
    }
    const from = this.firstMinuteToLoad(since, maxKeys);
    const rows = sql.exec<{ minute: number; part: number; n: number; ids: string }>("SELECT minute, part, n, ids FROM parts WHERE minute >= ? ORDER BY minute, part", from);
    for (const row of rows) {
      index.addPacked(row.ids, row.minute, KEY_CHARS);
      this.open = { minute: row.minute, part: row.part, entries: row.n };
    }
  }

  private firstMinuteToLoad(since: number, maxKeys: number): number {
    const sizes = this.storage.sql.exec<{ minute: number; keys: number }>(
      "SELECT minute, sum(n) AS keys FROM parts WHERE minute > ? GROUP BY minute ORDER BY minute DESC",
      since,
    );
    let total = 0;
    let first = since + 1;
    for (const { minute, keys } of sizes) {
      if (total + keys > maxKeys) break;
      total += keys;
      first = minute;
    }
    return first;
  }

  /** The body hash bound to `idHash` in the rows of `minute`, or undefined. */
  find(idHash: string, minute: number): string | undefined {
    const sql = this.storage.sql;
    const rows = sql.exec<{ entries: string }>("SELECT entries FROM parts WHERE slot = ? AND minute = ?", minute % SLOT_COUNT, minute).toArray();
    if (this.legacy) rows.push(...sql.exec<{ entries: string }>(`SELECT entries FROM ${LEGACY} WHERE slot = ? AND minute = ?`, minute % SLOT_COUNT, minute).toArray());
    for (const row of rows) {
      const body = findInPacked(row.entries, idHash);
      if (body !== undefined) return body;
    }
    return undefined;
  }

  /** Appends packed entries to `minute` in one transaction, opening new parts as they fill. Returns rows written. */
  append(packed: string, minute: number): number {
    if (this.open.minute !== minute) this.open = { minute, part: 0, entries: 0 };
    const statements: Array<{ query: string; params: unknown[] }> = [];
    const next = { ...this.open };
    for (let at = 0; at < packed.length; ) {
      if (next.entries >= PART_ENTRIES) Object.assign(next, { part: next.part + 1, entries: 0 });
      const take = Math.min(PART_ENTRIES - next.entries, (packed.length - at) / ENTRY_CHARS);
      const chunk = packed.slice(at, at + take * ENTRY_CHARS);
      statements.push({ query: APPEND, params: [minute % SLOT_COUNT, next.part, minute, take, idsOf(chunk), chunk] });
      next.entries += take;
      at += take * ENTRY_CHARS;
    }
    const written = writeBoundedRows(this.storage, statements);
    this.open = next;
    return written;
  }
}

function idsOf(packed: string): string {
  let ids = "";
  for (let i = 0; i < packed.length; i += ENTRY_CHARS) ids += packed.slice(i, i + KEY_CHARS);
  return ids;
}
