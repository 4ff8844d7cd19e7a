import { describe, expect, it } from "vitest";
import { withFreshBucket } from "../../scripts/lib/lake-pull.mjs";

// `npm run lake -- pull` reads the state a running `wrangler dev` writes; a read that fails
// mid-pull is retried with a bucket opened afresh (scripts/lib/lake-pull.mjs).
function opener(failures: number) {
  const log: string[] = [];
  let opened = 0;
  const open = async () => {
    const n = ++opened;
    log.push(`open ${n}`);
    return { bucket: n, dispose: async () => void log.push(`dispose ${n}`) };
  };
  const pull = async (bucket: number) => {
    if (bucket <= failures) throw new Error(`internal error ${bucket}`);
    return `pulled with ${bucket}`;
  };
  return { open, pull, log };
}

describe("lake pull: a failed read is retried with a fresh bucket", () => {
  it("retries with a new bucket, disposing each one, and returns the first pull that succeeds", async () => {
    const { open, pull, log } = opener(2);
    expect(await withFreshBucket(open, pull)).toBe("pulled with 3");
    expect(log).toEqual(["open 1", "dispose 1", "open 2", "dispose 2", "open 3", "dispose 3"]);
  });

  it("gives up after its attempts with the last error, every bucket disposed", async () => {
    const { open, pull, log } = opener(5);
    await expect(withFreshBucket(open, pull, 3)).rejects.toThrow("internal error 3");
    expect(log).toEqual(["open 1", "dispose 1", "open 2", "dispose 2", "open 3", "dispose 3"]);
  });
});
