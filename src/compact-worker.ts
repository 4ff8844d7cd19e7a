import { compactClosedHours } from "./lake/compaction/dirty-hours";
import { compactionQueues } from "./queue-consumer";

/**
 * The compaction Worker (wrangler.compact.toml): the milk-compact consumer, its dead-letter
 * consumers and the hourly cron, in isolates of their own so a step's memory never meets webhook
 * traffic. Wiring only; the edge is src/worker.ts, the consumers src/queue-consumer.ts.
 */
export default {
  queue: compactionQueues,
  scheduled: (controller, env, _ctx) => compactClosedHours(env, controller.scheduledTime).then(() => undefined),
} satisfies ExportedHandler<Env>;
