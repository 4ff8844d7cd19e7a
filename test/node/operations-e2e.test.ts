import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { getPlatformProxy } from "wrangler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/lib/dev-vars.mjs";
import { freePort } from "../../scripts/lib/free-port.mjs";
import { openLake } from "../../scripts/lib/lake-duckdb.mjs";
import { pullLake } from "../../scripts/lib/lake-pull.mjs";
import { currentTableFiles } from "../../scripts/lib/lake-table.mjs";
import { startPipeline } from "../../scripts/lib/local-pipeline.mjs";
import { rebuild, redrive } from "../../scripts/lib/ops-client.mjs";
import { runSimulation } from "../../scripts/lib/simulator.mjs";
import { queryRows } from "./duckdb";
import { until } from "./until";

const ADMIN_TOKEN = "e2e-admin-token";
let pipeline: Awaited<ReturnType<typeof startPipeline>>;
let state: string;

/** Every column of every deduplicated row, as text, for exact comparison. */
async function snapshot(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "milk-ops-lake-"));
  try {
    await pullLake({ out: dir, persist: join(state, "v3") });
    const { db, close } = await openLake(dir);
    try {
      const rows = await queryRows(db, "SELECT * EXCLUDE (dt, hour) FROM milk_events ORDER BY id");
      return rows.map((r) => JSON.stringify(r, (_, v) => (typeof v === "bigint" ? String(v) : v)));
    } finally {
      close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits until the table's current snapshot lists every file a rebuild wrote (the committer's overwrite landed). */
async function untilCommitted(hours: { files: string[] }[]): Promise<void> {
  const wanted = hours.flatMap((h) => h.files);
  expect(wanted.length).toBeGreaterThan(0);
  await until("the table to hold every rebuilt file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "milk-ops-table-"));
    try {
      await pullLake({ out: dir, persist: join(state, "v3") });
      const live = new Set(((await currentTableFiles(dir))?.files ?? []).map((path: string) => relative(dir, path)));
      return wanted.every((key) => live.has(key));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), "milk-ops-"));
  pipeline = await startPipeline({ port: await freePort(), kinesisPort: 0, persistTo: state, vars: { ADMIN_TOKEN } });
}, 120_000);

afterAll(async () => {
  await pipeline?.stop();
  rmSync(state, { recursive: true, force: true });
});

describe("recovery commands against the local pipeline", () => {
  it("rebuilds locations/ from raw/: rows equal the originals, and a second rebuild changes nothing", async () => {
    const summary = await runSimulation({ url: pipeline.url, token: pipeline.token, drivers: 8, minutes: 90, speedup: 0, seed: 11, concurrency: 8, duplicateRate: 0.05 });
    await until("the lake to hold every accepted event", async () => {
      const rows = await snapshot();
      return rows.length >= summary.acceptedIds.size ? rows : false;
    });
    const before = await snapshot();
    const from = new Date(Date.now() - 3 * 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const first = await rebuild({ url: pipeline.url, token: ADMIN_TOKEN, from, to });
    expect(first.reduce((n, h) => n + h.rows, 0)).toBe(summary.acceptedIds.size);
    // The rebuild answers before the committer's overwrite: compare once the table holds its files.
    await untilCommitted(first);
    expect(await snapshot()).toEqual(before);
    const second = await rebuild({ url: pipeline.url, token: ADMIN_TOKEN, from, to });
    expect(second.map((h) => h.rows)).toEqual(first.map((h) => h.rows));
    await untilCommitted(second);
    expect(await snapshot()).toEqual(before);
  });

  it("redrives parked dead letters back through the lake writer", async () => {
    // Park two envelopes exactly as the DLQ consumer does, in the same local R2 state.
    const proxy = await getPlatformProxy<{ LAKE_BUCKET: { put(key: string, value: string): Promise<unknown> } }>({ configPath: join(ROOT, "wrangler.toml"), persist: { path: join(state, "v3") } });
    const ids = [`redrive-${Date.now()}-a`, `redrive-${Date.now()}-b`];
    try {
      for (const id of ids) {
        const body = { v: 1, id, receivedAt: new Date().toISOString(), requestId: "dlq", source: "radar", event: { _id: id, type: "user.updated_trip", createdAt: new Date().toISOString() } };
        await proxy.env.LAKE_BUCKET.put(`dead-letter/ingest/dt=2026-01-01/hour=00/${id}.json`, JSON.stringify({ origin: "ingest", body }));
      }
    } finally {
      await proxy.dispose();
    }
    expect(await redrive({ url: pipeline.url, token: ADMIN_TOKEN, queue: "ingest" })).toBe(2);
    await until("redriven events in the lake", async () => {
      const rows = await snapshot();
      return ids.every((id) => rows.some((r) => r.includes(`"id":"${id}"`))) ? true : false;
    });
  });

  it("refuses the admin routes without the token", async () => {
    await expect(redrive({ url: pipeline.url, token: "wrong", queue: "ingest" })).rejects.toThrow(/401 unauthorized/);
  });
});
