import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unstable_readConfig } from "wrangler";
import { describe, expect, it } from "vitest";
import { withoutConsumers } from "../../bench/lib/edge-only.mjs";

// The webhook bench measures the edge Worker alone: its config must keep everything the request
// path binds (queue producers, guard shards, vars) and consume nothing, and the ack-only consumer
// must drain exactly the queues the request path produces to.
describe("bench edge-only config (bench/lib/edge-only.mjs)", () => {
  const dir = mkdtempSync(join(tmpdir(), "edge-only-"));
  const config = join(dir, "wrangler.toml");
  writeFileSync(config, withoutConsumers(readFileSync("wrangler.toml", "utf8")).replace(/^main\s*=.*$/m, `main = ${JSON.stringify(join(process.cwd(), "src", "worker.ts"))}`));
  const edge = unstable_readConfig({ config });
  const full = unstable_readConfig({ config: "wrangler.toml" });
  const ack = unstable_readConfig({ config: "bench/edge-ack-wrangler.toml" });
  rmSync(dir, { recursive: true, force: true });

  it("drops every consumer and cron, keeps producers, guard shards and vars", () => {
    expect(full.queues.consumers?.length).toBeGreaterThan(0);
    expect(edge.queues.consumers ?? []).toEqual([]);
    expect(edge.triggers.crons ?? []).toEqual([]);
    expect(edge.queues.producers).toEqual(full.queues.producers);
    expect(edge.durable_objects.bindings).toEqual(full.durable_objects.bindings);
    expect(edge.vars).toEqual(full.vars);
  });

  it("acks the ingest and forward queues with the edge's batch settings", () => {
    const bindings = ["INGEST_QUEUE", "FORWARD_QUEUE"].map((b) => full.queues.producers!.find((p: { binding: string }) => p.binding === b)!.queue);
    expect(ack.queues.consumers!.map((c: { queue: string }) => c.queue)).toEqual(bindings);
    for (const c of ack.queues.consumers ?? []) {
      const real = (full.queues.consumers ?? []).find((r: { queue: string }) => r.queue === c.queue)!;
      expect([c.max_batch_size, c.max_batch_timeout]).toEqual([real.max_batch_size, real.max_batch_timeout]);
    }
  });
});
