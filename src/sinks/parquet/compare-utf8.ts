/**
 * Orders strings as Parquet does: by the unsigned bytes of their UTF-8 encoding, which is
 * code point order. JavaScript's `<` compares UTF-16 units instead, which puts U+E000–U+FFFF
 * (fullwidth forms, U+FFFD) after astral characters (emoji). A lone surrogate counts as
 * U+FFFD, as TextEncoder stores it, so this order is exactly the order of the stored bytes.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  let i = 0;
  while (i < length) {
    const x = a.charCodeAt(i);
    if (x === b.charCodeAt(i) && (x < 0xd800 || x > 0xdfff)) {
      i++;
      continue;
    }
    const cx = codePointAt(a, i);
    const cy = codePointAt(b, i);
    if (cx !== cy) return cx - cy;
    i += cx > 0xffff ? 2 : 1;
  }
  // One is a prefix of the other in code points (equal when only U+FFFD vs a lone surrogate differ).
  return a.length - b.length;
}

/** The code point at `i` (a UTF-16 unit index, never inside a pair), lone surrogates as U+FFFD. */
function codePointAt(s: string, i: number): number {
  const unit = s.charCodeAt(i);
  if (unit < 0xd800 || unit > 0xdfff) return unit;
  const next = s.charCodeAt(i + 1);
  if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) return (unit - 0xd800) * 0x400 + (next - 0xdc00) + 0x10000;
  return 0xfffd;
}

/** JavaScript's own string order (UTF-16 units): a total order, where compareUtf8 ties lone surrogates. */
export const compareCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
