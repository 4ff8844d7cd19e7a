import { env } from "cloudflare:workers";
import type { CompactionMessage } from "../../src/contract/compaction-message";
import { describe, expect, it } from "vitest";
import { gzip } from "../../src/lake/bucket-io";
import { enqueueCompactions } from "../../src/lake/compaction/dirty-hours";
import { uniqueName } from "../../src/lake/keys";
import { measureBody } from "../../src/queue-limits";
import { compactionQueue, drain, exactness } from "../fixtures/compaction";
import { listKeys } from "../fixtures/lake";
import { makeMessage } from "../fixtures/messages";
import { makeEvent } from "../fixtures/webhook";

const RAW_OBJECTS = 5_000;
const PER_OBJECT = 3;

/** Raw archive objects as the lake writer stores them (gzip NDJSON, rows and processed_at metadata), put directly for speed. */
async function seedRawObjects(partition: string, hour: string) {
  const ids: string[] = [];
  const objects = Array.from({ length: RAW_OBJECTS }, (_, n) => {
    const envelopes = Array.from({ length: PER_OBJECT }, (_, i) => makeMessage({ event: makeEvent({ createdAt: `${hour}:${String(n % 60).padStart(2, "0")}:${String(i).padStart(2, "0")}.000Z`, user: { _id: `driver-${n % 17}` } }) }));
    ids.push(...envelopes.map((m) => m.id));
    return envelopes;
  });
  const processedAt = Date.parse(`${hour}:30:00.000Z`);
  for (let i = 0; i < objects.length; i += 250) {
    await Promise.all(objects.slice(i, i + 250).map(async (envelopes, j) => {
      const body = await gzip(envelopes.map((m) => JSON.stringify(m)).join("\n") + "\n");
      const customMetadata = { rows: String(envelopes.length), processed_at: new Date(processedAt + i + j).toISOString() };
      await env.LAKE_BUCKET.put(`raw/${partition}/${uniqueName(processedAt)}.ndjson.gz`, body, { customMetadata });
    }));
  }
  return ids;
}

describe("an hour of many small raw objects (partial batches, autoscaled consumers, replays)", () => {
  it("compacts 5,000 raw objects of 3 envelopes each, with every compaction message a few hundred bytes", async () => {
    const partition = "dt=2024-08-01/hour=09";
    const ids = await seedRawObjects(partition, "2024-08-01T09");
    const limited = compactionQueue();
    const sizes: number[] = [];
    // Records each message's size as production counts it, then sends through the harness's limits.
    const queue = new Proxy(limited, {
      get(target, prop) {
        if (prop === "send") return async (body: CompactionMessage) => (sizes.push(measureBody(body)), target.send(body));
        if (prop === "sendBatch") {
          return async (batch: Iterable<MessageSendRequest<CompactionMessage>>) => {
            const messages = [...batch];
            sizes.push(...messages.map((m) => measureBody(m.body)));
            return target.sendBatch(messages);
          };
        }
        return Reflect.get(target, prop);
      },
    });
    await enqueueCompactions(queue as unknown as Queue, env.LAKE_BUCKET, [partition], Date.now());
    await drain(queue);
    expect(await exactness(partition, ids)).toEqual({ duplicated: [], missing: [], total: RAW_OBJECTS * PER_OBJECT });
    expect(await listKeys(env.LAKE_BUCKET, `locations/${partition}/`)).toHaveLength(1);
    expect(sizes.length).toBeGreaterThan(RAW_OBJECTS / 400); // one sort message per shard of ≤ 400 sources, plus plan and merge
    expect(Math.max(...sizes)).toBeLessThan(400);
  }, 120_000);
});
