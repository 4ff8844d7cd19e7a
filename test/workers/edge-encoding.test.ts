// The edge's allocation-free shortcuts must give the answers of the slow paths they replace:
// the surrogate scan that skips the well-formed walk, the UTF-8 size of an envelope, the hex
// digest decoder and the hex of a hash.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildMessage, serializeEnvelopes } from "../../src/edge/enqueue";
import { sha256Hex128 } from "../../src/edge/event-id";
import { decodeDigest } from "../../src/edge/signature";
import { hasSurrogateEscape, toWellFormedJson } from "../../src/edge/well-formed";
import { PACK_FRAME_BYTES } from "../../src/contract/packed-message";
import { MAX_MESSAGE_BYTES, MESSAGE_OVERHEAD_BYTES } from "../../src/queue-limits";

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);
const unit = fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u));
const anyString = fc.array(fc.oneof(unit, fc.string({ maxLength: 3 })), { maxLength: 6 }).map((parts) => parts.join(""));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, anyString, fc.integer(), tie("array"), tie("object")),
  array: fc.array(tie("value"), { maxLength: 3 }),
  object: fc.dictionary(anyString, tie("value"), { maxKeys: 3 }),
})).value;
/** Another sender's spelling of the same JSON: its \u escapes in upper case. */
const upperEscapes = (text: string) => text.replace(/\\u[0-9a-f]{4}/g, (e) => `\\u${e.slice(2).toUpperCase()}`);

describe("hasSurrogateEscape", () => {
  it.each([
    ['{"a":"\\ud800"}', true],
    ['{"a":"\\uDFFF"}', true],
    ['{"a":"x\\uDbFfy"}', true],
    ['{"\\udc00":1}', true],
    ['{"a":"\\ud7ff\\ue000\\u00e9"}', false],
    ['{"a":"\\"\\\\\\n"}', false],
    ['{"a":"\\ud', false], // cut before the digit that decides
    ['{"a":"\\\\ud800"}', true], // an escaped backslash before "ud800": only costs the walk
  ])("%s → %s", (text, expected) => {
    expect(hasSurrogateEscape(bytes(text))).toBe(expected);
  });

  it("gives toWellFormedJson the walk's result for any JSON, escapes in either case", () => {
    fc.assert(
      fc.property(json, fc.boolean(), (value, upper) => {
        const text = upper ? upperEscapes(JSON.stringify(value)) : JSON.stringify(value);
        const slow = toWellFormedJson(JSON.parse(text));
        const fast = toWellFormedJson(JSON.parse(text), bytes(text));
        expect(fast.repaired).toBe(slow.repaired);
        expect(JSON.stringify(fast.value)).toBe(JSON.stringify(slow.value));
      }),
      { numRuns: 500 },
    );
  });
});

describe("serializeEnvelopes' UTF-8 size", () => {
  const limit = MAX_MESSAGE_BYTES - PACK_FRAME_BYTES - MESSAGE_OVERHEAD_BYTES;
  const envelope = (note: string) => buildMessage({ id: "evt-1", receivedAt: "2026-12-04T00:00:00.000Z", requestId: "r", event: { type: "user.updated_trip", note } as never });
  /** An envelope whose framed size is exactly `target` bytes, its note ending in `tail`. */
  const sized = (target: number, tail: string) => {
    const base = encoder.encode(JSON.stringify(envelope(tail))).byteLength + 1;
    return envelope("x".repeat(target - base) + tail);
  };

  it.each([
    ["ASCII", "x"],
    ["a 3-byte character last", "€"],
    ["a 4-byte character last", "😀"],
  ])("counts bytes, not UTF-16 units (%s): the limit passes, one byte more is refused", (_name, tail) => {
    const fits = serializeEnvelopes([sized(limit, tail)]);
    expect(fits.bytes).toEqual([limit]);
    expect(fits.bytes[0]).toBe(encoder.encode(fits.json[0]).byteLength + 1);
    expect(() => serializeEnvelopes([sized(limit + 1, tail)])).toThrow(/larger than a queue message allows/);
  });

  it("refuses an envelope longer than the scratch buffer without a wrong size", () => {
    expect(() => serializeEnvelopes([envelope("é".repeat(MAX_MESSAGE_BYTES))])).toThrow(/larger than a queue message allows/);
  });
});

describe("hex digests", () => {
  it("decodes any 20-byte digest written in hex of either case, and base64", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.boolean(), (digest, upper) => {
        const hex = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
        expect(decodeDigest(upper ? hex.toUpperCase() : hex)).toEqual(digest);
        expect(decodeDigest(btoa(String.fromCharCode(...digest)))).toEqual(digest);
      }),
    );
  });

  it("writes the first 16 bytes of SHA-256 as 32 lowercase hex characters", async () => {
    for (const text of ["", "abc", "x".repeat(1000)]) {
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes(text)));
      const expected = [...digest.slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
      expect(await sha256Hex128(bytes(text))).toBe(expected);
    }
  });
});
