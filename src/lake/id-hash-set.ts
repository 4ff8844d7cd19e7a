/**
 * A set of 64-bit id hashes in two typed arrays (8 bytes a slot, open addressing, at most 3/4
 * full: about 11 bytes per id, 21 MB for 2 M ids), for ids that repeat across runs with different sort keys. Two distinct ids collide with
 * probability about n²/2⁶⁵ per hour (1e-7 for 2 M ids); a collision drops one row, which the
 * next rebuild would drop again (documented in docs/reliability.md).
 */
export class IdHashSet {
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  private readonly size: number;
  private count = 0;

  constructor(expected: number) {
    this.size = Math.max(1024, Math.ceil(expected / 0.75));
    this.hi = new Uint32Array(this.size);
    this.lo = new Uint32Array(this.size);
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
    for (let slot = ((hi ^ lo) >>> 0) % this.size; ; slot = slot + 1 === this.size ? 0 : slot + 1) {
      if (this.hi[slot] === 0) {
        if (++this.count > this.size * 0.9) throw new Error("id hash set over capacity");
        this.hi[slot] = hi;
        this.lo[slot] = lo;
        return false;
      }
      if (this.hi[slot] === hi && this.lo[slot] === lo) return true;
    }
  }
}
