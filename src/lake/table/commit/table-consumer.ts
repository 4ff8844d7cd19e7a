import { TableMessage } from "../../../contract/table-message";
import { backoffSeconds } from "../../../consumers/backoff";
import { errorMessage, toIssues } from "../../../errors";
import { recordMetric } from "../../../metrics";
import { markHourDirty } from "../../batch/batch-files";
import { asCatalogError, type Catalog } from "../catalog/catalog";
import { type CommitOutcome, commitPending } from "./commit-change";
import { deleteExpiredFiles } from "./expire-files";
import { recordHourStatus } from "./hour-status";
import { gatherChange } from "./pending-change";
import { openCatalog, tableConfig } from "./table-config";

/**
 * Retries during a catalog outage: 15 s growing to 1 h. With max_retries = 100 (queue-roles.ts)
 * a batch waits days before its dead-letter queue parks it for a redrive; the lake writer never
 * waits on the catalog, only on the send to this queue.
 */
const RETRY = { baseSeconds: 15, capSeconds: 3_600 };

/** Work after a confirmed commit; its failure never un-acks the commit (the table is right). */
async function afterCommit(bucket: R2Bucket, outcome: Extract<CommitOutcome, { state: "committed" }>, graceMs: number, nowMs: number) {
  const deleted = await deleteExpiredFiles(bucket, outcome.before, outcome.after.metadata);
  const snapshotId = outcome.after.metadata["current-snapshot-id"] ?? 0;
  await recordHourStatus(bucket, outcome.change, snapshotId, graceMs, nowMs);
  return deleted.length;
}

/** `table_commit` point: files added and removed, messages, seconds from file write to commit (max, mean), attempts. */
function recordCommit(env: Env, outcome: string, messages: TableMessage[], added: number, removed: number, attempts: number, nowMs: number) {
  const lags = messages.map((m) => (Date.now() - m.writtenAtMs) / 1000);
  const figures = [removed, messages.length, lags.length ? Math.max(...lags) : 0, lags.length ? lags.reduce((a, b) => a + b, 0) / lags.length : 0, attempts, Date.now() - nowMs];
  recordMetric(env.METRICS, { kind: "table_commit", outcome, label: "table", count: added, figures });
}

/** Valid table messages; invalid ones are logged and acked, since no retry can fix them. */
function parseMessages(batch: MessageBatch<unknown>) {
  const valid: Array<{ message: Message<unknown>; body: TableMessage }> = [];
  for (const message of batch.messages) {
    const parsed = TableMessage.safeParse(message.body);
    if (parsed.success) valid.push({ message, body: parsed.data });
    else {
      console.error(JSON.stringify({ msg: "invalid table message", messageId: message.id, issues: toIssues(parsed.error) }));
      message.ack();
    }
  }
  return valid;
}

/** Gathers, commits and cleans up; throws what the catalog threw (the caller retries). */
async function commitBatch(env: Env, valid: ReturnType<typeof parseMessages>, catalog: Catalog | undefined, nowMs: number) {
  const config = tableConfig(env as never);
  const pending = await gatherChange(env.LAKE_BUCKET, valid.map((v) => v.body), valid.map((v) => v.message.id));
  // A compaction whose change record is gone cannot be committed: compact the hour again.
  for (const m of pending.missing) await markHourDirty(env.LAKE_BUCKET, m.partition, nowMs);
  const outcome = await commitPending({ bucket: env.LAKE_BUCKET, catalog: catalog ?? openCatalog(env), config }, pending, nowMs);
  let deleted = 0;
  if (outcome.state === "committed") {
    deleted = await afterCommit(env.LAKE_BUCKET, outcome, config.hourGraceMs, nowMs).catch((err) => {
      console.error(JSON.stringify({ msg: "table cleanup after commit failed", error: errorMessage(err) }));
      return 0;
    });
  }
  return { pending, outcome, deleted };
}

/**
 * The single committer (max_concurrency = 1): every file of the batch in one snapshot, acked
 * only after the catalog confirmed it (or showed it was already there). A failure retries the
 * whole batch with growing delays, honouring Retry-After.
 */
export async function commitTableBatch(batch: MessageBatch<unknown>, env: Env, catalog?: Catalog): Promise<void> {
  const nowMs = Date.now();
  const valid = parseMessages(batch);
  if (!valid.length) return;
  const bodies = valid.map((v) => v.body);
  try {
    const { pending, outcome, deleted } = await commitBatch(env, valid, catalog, nowMs);
    for (const v of valid) v.message.ack();
    const change = outcome.state === "committed" ? outcome.change : undefined;
    const [added, removed] = [change?.add.length ?? 0, change?.removeKeys.length ?? 0];
    const snapshotId = outcome.after.metadata["current-snapshot-id"];
    console.log(JSON.stringify({ msg: "table commit", state: outcome.state, commitId: pending.commitId, snapshotId, added, removed, deleted, missing: pending.missing.length, attempts: outcome.attempts }));
    recordCommit(env, outcome.state, bodies, added, removed, outcome.attempts, nowMs);
  } catch (err) {
    const error = asCatalogError(err);
    console.error(JSON.stringify({ msg: "table commit failed", kind: error.kind, messages: valid.length, error: error.message }));
    for (const { message } of valid) {
      const delay = Math.max(error.retryAfterSeconds ?? 0, backoffSeconds(message.attempts, RETRY.baseSeconds, RETRY.capSeconds));
      message.retry({ delaySeconds: Math.min(delay, 43_200) });
    }
    recordCommit(env, "failed", bodies, 0, 0, 0, nowMs);
  }
}
