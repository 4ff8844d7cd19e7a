import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { prefixPartition } from "../../src/lake/compaction/dirty-hours";
import { compactionQueue, runCron } from "../fixtures/compaction";
import { consumeBatch } from "../fixtures/consume";
import { makeMessage } from "../fixtures/messages";
import { makeEvent } from "../fixtures/webhook";

/** The bucket as R2's reference example lists it: delimitedPrefixes without the trailing delimiter. */
const withoutTrailingDelimiter = (bucket: R2Bucket): R2Bucket =>
  new Proxy(bucket, {
    get(target, prop) {
      if (prop !== "list") return Reflect.get(target, prop).bind(target);
      return async (options?: R2ListOptions) => {
        const page = await target.list(options);
        return { ...page, delimitedPrefixes: page.delimitedPrefixes.map((p) => p.replace(/\/$/, "")) };
      };
    },
  });

describe("dirty hours from a delimiter listing", () => {
  it("reads a prefix with or without the trailing delimiter as the same hour", () => {
    expect(prefixPartition("compaction/dirty/dt=2024-09-01_hour=07/")).toBe("dt=2024-09-01/hour=07");
    expect(prefixPartition("compaction/dirty/dt=2024-09-01_hour=07")).toBe("dt=2024-09-01/hour=07");
  });

  it("the cron finds and compacts a dirty hour when R2 lists prefixes without the trailing '/'", async () => {
    const hour = "2024-09-02T07";
    await consumeBatch("milk-ingest", [makeMessage({ event: makeEvent({ createdAt: `${hour}:01:00.000Z` }) })]);
    await consumeBatch("milk-ingest", [makeMessage({ event: makeEvent({ createdAt: `${hour}:02:00.000Z` }) })]);
    const bucket = withoutTrailingDelimiter(env.LAKE_BUCKET);
    const listed = await bucket.list({ prefix: "compaction/dirty/", delimiter: "/" });
    expect(listed.delimitedPrefixes).toContain("compaction/dirty/dt=2024-09-02_hour=07");
    // A cron long after the hour (the previous hour is another one), so only the dirty marker can find it.
    const jobs = await runCron(Date.parse("2024-09-03T00:15:00.000Z"), compactionQueue(), { LAKE_BUCKET: bucket });
    expect(jobs).toHaveLength(1);
  });
});
