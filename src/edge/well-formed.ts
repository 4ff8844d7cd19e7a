/**
 * UTF-8 cannot hold an unpaired UTF-16 surrogate: the Parquet writer would store U+FFFD while
 * the JSON sent to Kinesis and the raw archive keep the `\ud800` escape. The edge therefore
 * makes every string of an accepted event well-formed once, before the 202, so every sink
 * and every rebuild starts from the same characters.
 */

export interface WellFormed<T> {
  value: T;
  /** Strings (values and keys) in which an unpaired surrogate became U+FFFD. */
  repaired: number;
}

/**
 * Parsed JSON with every string, object keys included, well-formed (U+FFFD for each unpaired
 * surrogate). Untouched subtrees are returned as they are, so clean input costs no copy. Two
 * keys that become equal keep the later value, as JSON.parse does for a repeated key. With
 * `source`, the UTF-8 JSON the value was parsed from, the walk runs only when that text has a
 * surrogate escape (hasSurrogateEscape): the common case allocates nothing.
 */
export function toWellFormedJson<T>(value: T, source?: Uint8Array): WellFormed<T> {
  if (source && !hasSurrogateEscape(source)) return { value, repaired: 0 };
  const counter = { repaired: 0 };
  return { value: repair(value, counter) as T, repaired: counter.repaired };
}

const BACKSLASH = 0x5c;
/** 8, 9, A–F or a–f: the third hex digit of \uD800–\uDFFF. */
const isSurrogateNibble = (b: number) => b === 0x38 || b === 0x39 || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x66);

/**
 * Whether JSON text (strict UTF-8, as parseJsonBody decodes it) has an escape in \uD800–\uDFFF.
 * Raw bytes cannot encode a surrogate in valid UTF-8, so without such an escape every parsed
 * string is well-formed and the walk (a copy of each object's entries) is skipped. An escaped
 * backslash before "ud800" also matches: that only costs the walk, never a missed repair.
 */
export function hasSurrogateEscape(json: Uint8Array): boolean {
  for (let i = json.indexOf(BACKSLASH); i !== -1 && i + 3 < json.length; i = json.indexOf(BACKSLASH, i + 1)) {
    if (json[i + 1] === 0x75 && (json[i + 2]! | 0x20) === 0x64 && isSurrogateNibble(json[i + 3]!)) return true;
  }
  return false;
}

function repair(value: unknown, counter: { repaired: number }): unknown {
  if (typeof value === "string") {
    if (value.isWellFormed()) return value;
    counter.repaired++;
    return value.toWellFormed();
  }
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item) => {
      const fixed = repair(item, counter);
      changed ||= fixed !== item;
      return fixed;
    });
    return changed ? items : value;
  }
  if (value !== null && typeof value === "object") {
    let changed = false;
    const entries = Object.entries(value).map(([key, item]): [string, unknown] => {
      const fixedKey = repair(key, counter) as string;
      const fixed = repair(item, counter);
      changed ||= fixedKey !== key || fixed !== item;
      return [fixedKey, fixed];
    });
    // fromEntries defines own properties, so a "__proto__" key stays data, never a prototype.
    return changed ? Object.fromEntries(entries) : value;
  }
  return value;
}
