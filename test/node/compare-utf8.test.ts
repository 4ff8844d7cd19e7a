import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareUtf8 } from "../../src/sinks/parquet/compare-utf8";

const sign = (n: number) => Math.sign(n);
/** Any UTF-16 unit (lone surrogates included), astral characters, and the BMP-vs-astral boundary. */
const unit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)),
  fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
  fc.constantFrom("ｚ", "🚛", "\uFFFD", "\uD800", "\uDC00", "\uFFFF", "\u0000", "z"),
);
const text = fc.string({ unit, maxLength: 8 });

describe("compareUtf8", () => {
  it("orders exactly as Buffer.compare of the UTF-8 bytes TextEncoder stores", () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(sign(compareUtf8(a, b))).toBe(sign(Buffer.compare(encoder.encode(a), encoder.encode(b))));
      }),
      { numRuns: 20_000 },
    );
  });

  it("puts fullwidth z before the emoji, unlike JavaScript's <", () => {
    expect(compareUtf8("ｚ-drv", "🚛-drv")).toBeLessThan(0);
    expect("ｚ-drv" < "🚛-drv").toBe(false);
  });
});
