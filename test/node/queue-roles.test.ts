import { unstable_readConfig } from "wrangler";
import { describe, expect, it } from "vitest";
import { QUEUE_ROUTES } from "../../src/queue-roles";

const ENVIRONMENTS = [undefined, "staging", "production"] as const;
const NEXT_ROLE = { lake: "dead_letter", forward: "dead_letter", compact: "dead_letter", table: "dead_letter", dead_letter: "last_resort" } as const;

/** The edge Worker and the compaction Worker (each consumer queue belongs to exactly one of them). */
const CONFIGS = ["wrangler.toml", "wrangler.compact.toml"] as const;

function queuesIn(config: (typeof CONFIGS)[number], env: (typeof ENVIRONMENTS)[number]) {
  const read = unstable_readConfig({ config, env });
  return { consumers: read.queues.consumers ?? [], producers: read.queues.producers ?? [] };
}

function queuesOf(env: (typeof ENVIRONMENTS)[number]) {
  const both = CONFIGS.map((config) => queuesIn(config, env));
  return { consumers: both.flatMap((q) => q.consumers), producers: both.flatMap((q) => q.producers) };
}

describe("queue roles table (src/queue-roles.ts) against wrangler.toml and wrangler.compact.toml", () => {
  it.each(ENVIRONMENTS)("every consumer queue of env %s has a role, its max_retries and a dead-letter queue of the next role", (env) => {
    const { consumers, producers } = queuesOf(env);
    expect(consumers.length).toBeGreaterThanOrEqual(6);
    for (const consumer of consumers) {
      const route = QUEUE_ROUTES.get(consumer.queue);
      expect(route, consumer.queue).toBeDefined();
      expect(consumer.max_retries, consumer.queue).toBe(route!.maxRetries);
      if (route!.role === "last_resort") {
        expect(consumer.dead_letter_queue, `${consumer.queue} is the last stop`).toBeUndefined();
        continue;
      }
      const next = QUEUE_ROUTES.get(consumer.dead_letter_queue ?? "");
      expect(next, `${consumer.queue} → ${consumer.dead_letter_queue}`).toMatchObject({ role: NEXT_ROLE[route!.role], origin: route!.origin });
      expect(consumers.map((c: { queue: string }) => c.queue)).toContain(consumer.dead_letter_queue);
    }
    for (const producer of producers) expect(QUEUE_ROUTES.get(producer.queue)?.role, producer.queue).toMatch(/^(lake|forward|compact|table)$/);
  });

  it("names no queue that no environment consumes", () => {
    const consumed = new Set(ENVIRONMENTS.flatMap((env) => queuesOf(env).consumers.map((c: { queue: string }) => c.queue)));
    expect([...QUEUE_ROUTES.keys()].filter((queue) => !consumed.has(queue))).toEqual([]);
  });

  it.each(ENVIRONMENTS)("env %s: compaction queues are consumed only by the compaction Worker, one step at a time; the edge consumes no compaction queue", (env) => {
    const edge = queuesIn("wrangler.toml", env).consumers.map((c: { queue: string }) => QUEUE_ROUTES.get(c.queue)!.origin);
    const compact = queuesIn("wrangler.compact.toml", env).consumers;
    expect(edge).not.toContain("compact");
    expect(compact.map((c: { queue: string }) => QUEUE_ROUTES.get(c.queue)!.origin)).toEqual(["compact", "compact", "compact"]);
    const steps = compact.find((c: { queue: string }) => QUEUE_ROUTES.get(c.queue)!.role === "compact")!;
    expect(steps).toMatchObject({ max_batch_size: 1, max_concurrency: 1 });
  });
});
