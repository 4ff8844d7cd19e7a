/**
 * A set of 64-bit id hashes in two typed arrays (8 bytes a slot, open addressing, half full at
 * most), for ids that repeat across runs with different sort keys. Two distinct ids collide with
 * probability about n²/2⁶⁵ per hour (1e-7 for 2 M ids); a collision drops one row, which the
 * next rebuild would drop again (documented in docs/reliability.md).
 */
export class IdHashSet {
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  private readonly mask: number;
  private count = 0;

  constructor(expected: number) {
    let size = 1024;
    while (size < expected * 2) size *= 2;
    this.hi = new Uint32Array(size);
    this.lo = new Uint32Array(size);
    this.mask = size - 1;
  }

  /** Adds the id; true if its hash was already present. */
  addHas(id: string): boolean {
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
    }
    const hi = h1 >>> 0 || 1; // 0 marks an empty slot
    const lo = h2 >>> 0;
    for (let slot = (hi ^ lo) & this.mask; ; slot = (slot + 1) & this.mask) {
      if (this.hi[slot] === 0) {
        if (++this.count > this.mask * 0.9) throw new Error("id hash set over capacity");
        this.hi[slot] = hi;
        this.lo[slot] = lo;
        return false;
      }
      if (this.hi[slot] === hi && this.lo[slot] === lo) return true;
    }
  }
}
