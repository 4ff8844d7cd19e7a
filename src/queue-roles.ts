/**
 * What each consumer queue is for, by exact name, in every environment. Routing never guesses
 * from a name's shape: a queue missing here is refused (logged and retried), never written.
 * To add a role: extend `QueueRole`, add its queues below, and give it a handler in
 * src/queue-consumer.ts. test/node/queue-roles.test.ts checks this table against wrangler.toml.
 */
export type QueueRole = "lake" | "forward" | "compact" | "table" | "dead_letter" | "last_resort";

/** The producer queue a message originally belonged to; also its `dead-letter/<origin>/` prefix. */
export type QueueOrigin = "ingest" | "forward" | "compact" | "table";

export interface QueueRoute {
  role: QueueRole;
  origin: QueueOrigin;
  /** `max_retries` wrangler.toml must configure for this queue's consumer. */
  maxRetries: number;
}

const lake: QueueRoute = { role: "lake", origin: "ingest", maxRetries: 8 };
const forward: QueueRoute = { role: "forward", origin: "forward", maxRetries: 8 };
// Dead-letter consumers outlast a 24 h R2 outage on their own (see src/consumers/dead-letter.ts).
const ingestDeadLetter: QueueRoute = { role: "dead_letter", origin: "ingest", maxRetries: 60 };
const forwardDeadLetter: QueueRoute = { role: "dead_letter", origin: "forward", maxRetries: 60 };
const ingestLastResort: QueueRoute = { role: "last_resort", origin: "ingest", maxRetries: 20 };
const forwardLastResort: QueueRoute = { role: "last_resort", origin: "forward", maxRetries: 20 };
// Lake compaction steps (src/lake/compaction-queue.ts); parked steps are rerun by a rebuild, not redriven.
const compact: QueueRoute = { role: "compact", origin: "compact", maxRetries: 10 };
const compactDeadLetter: QueueRoute = { role: "dead_letter", origin: "compact", maxRetries: 60 };
const compactLastResort: QueueRoute = { role: "last_resort", origin: "compact", maxRetries: 20 };
// Table commits (src/lake/table/commit/): 100 retries growing to 1 h outlast a catalog outage of days;
// parked registrations are redriven like ingest (`npm run ops -- redrive table`), and a redriven one is a no-op if committed.
const table: QueueRoute = { role: "table", origin: "table", maxRetries: 100 };
const tableDeadLetter: QueueRoute = { role: "dead_letter", origin: "table", maxRetries: 60 };
const tableLastResort: QueueRoute = { role: "last_resort", origin: "table", maxRetries: 20 };

export const QUEUE_ROUTES: ReadonlyMap<string, QueueRoute> = new Map([
  ["milk-ingest", lake],
  ["milk-forward", forward],
  ["milk-ingest-dlq", ingestDeadLetter],
  ["milk-forward-dlq", forwardDeadLetter],
  ["milk-ingest-last-resort", ingestLastResort],
  ["milk-forward-last-resort", forwardLastResort],
  ["milk-compact", compact],
  ["milk-compact-dlq", compactDeadLetter],
  ["milk-compact-last-resort", compactLastResort],
  ["milk-table", table],
  ["milk-table-dlq", tableDeadLetter],
  ["milk-table-last-resort", tableLastResort],

  ["milk-ingest-staging", lake],
  ["milk-forward-staging", forward],
  ["milk-ingest-staging-dlq", ingestDeadLetter],
  ["milk-forward-staging-dlq", forwardDeadLetter],
  ["milk-ingest-staging-last-resort", ingestLastResort],
  ["milk-forward-staging-last-resort", forwardLastResort],
  ["milk-compact-staging", compact],
  ["milk-compact-staging-dlq", compactDeadLetter],
  ["milk-compact-staging-last-resort", compactLastResort],
  ["milk-table-staging", table],
  ["milk-table-staging-dlq", tableDeadLetter],
  ["milk-table-staging-last-resort", tableLastResort],

  ["milk-ingest-production", lake],
  ["milk-forward-production", forward],
  ["milk-ingest-production-dlq", ingestDeadLetter],
  ["milk-forward-production-dlq", forwardDeadLetter],
  ["milk-ingest-production-last-resort", ingestLastResort],
  ["milk-forward-production-last-resort", forwardLastResort],
  ["milk-compact-production", compact],
  ["milk-compact-production-dlq", compactDeadLetter],
  ["milk-compact-production-last-resort", compactLastResort],
  ["milk-table-production", table],
  ["milk-table-production-dlq", tableDeadLetter],
  ["milk-table-production-last-resort", tableLastResort],
]);

export function findQueueRoute(queue: string): QueueRoute | undefined {
  return QUEUE_ROUTES.get(queue);
}
