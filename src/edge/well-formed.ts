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
 * keys that become equal keep the later value, as JSON.parse does for a repeated key.
 */
export function toWellFormedJson<T>(value: T): WellFormed<T> {
  const counter = { repaired: 0 };
  return { value: repair(value, counter) as T, repaired: counter.repaired };
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
