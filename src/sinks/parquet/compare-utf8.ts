/**
 * Orders strings as Parquet does: by the unsigned bytes of their UTF-8 encoding, which is
 * code point order. JavaScript's `<` compares UTF-16 units instead, which puts U+E000–U+FFFF
 * (fullwidth forms, U+FFFD) after astral characters (emoji). At the first differing unit,
 * surrogates are moved above U+FFFF's neighbours so the result is code point order.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

function rank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
