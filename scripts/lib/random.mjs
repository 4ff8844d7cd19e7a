// Deterministic randomness for the fleet simulator and the benchmark data.

/** mulberry32: tiny, fast, deterministic. */
export function createRandom(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    between: (lo, hi) => lo + next() * (hi - lo),
    int: (lo, hi) => Math.floor(lo + next() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
    hex: (n) => Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join(""),
  };
}


/**
 * Radar event ids are MongoDB ObjectIds: 4-byte server time, 5 bytes per server
 * process, 3-byte counter. A handful of simulated API processes hand them out.
 */
export function objectIdFactory(rnd) {
  const processes = Array.from({ length: 6 }, () => ({ tag: rnd.hex(10), counter: rnd.int(0, 0xffffff) }));
  return (atMs) => {
    const p = rnd.pick(processes);
    p.counter = (p.counter + 1) % 0x1000000;
    return Math.floor(atMs / 1000).toString(16).padStart(8, "0") + p.tag + p.counter.toString(16).padStart(6, "0");
  };
}

