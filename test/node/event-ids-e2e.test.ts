// Issue 23 over the pipeline `npm start` runs (wrangler dev + kinesalite): one id is one event,
// in the lake and in Kinesis, for bodies an attacker holding a valid webhook token could send.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/free-port.mjs";
import { readAllRecords } from "../../scripts/lib/kinesis-local.mjs";
import { openLake } from "../../scripts/lib/lake-duckdb.mjs";
import { pullLake } from "../../scripts/lib/lake-pull.mjs";
import { startPipeline } from "../../scripts/lib/local-pipeline.mjs";
import { radarSignature } from "../../scripts/lib/simulator.mjs";
import { queryRows } from "./duckdb";
import { until as waitFor } from "./until";

type Pipeline = Awaited<ReturnType<typeof startPipeline>>;
let pipeline: Pipeline;
let state: string;
const logs: string[] = [];
const until = <T>(what: string, probe: () => Promise<T | false>) => waitFor(what, probe, 120_000, () => logs.slice(-30).join("\n"));

/** JSON.stringify writes an unpaired surrogate as a `\udXXX` escape: the body's bytes are ASCII. */
async function post(body: unknown): Promise<{ status: number; json: Record<string, any> }> {
  const signingId = crypto.randomUUID();
  const response = await fetch(`${pipeline.url}/webhooks/radar`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Radar-Signing-Id": signingId, "X-Radar-Signature": radarSignature(pipeline.token, signingId) },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

const geofence = (fields: Record<string, unknown>) => ({
  type: "user.entered_geofence",
  createdAt: new Date().toISOString(),
  location: { type: "Point", coordinates: [-119.43, 36.22] },
  ...fields,
});

async function lakeRows(ids: string[]): Promise<Record<string, unknown>[]> {
  const lakeDir = mkdtempSync(join(tmpdir(), "milk-lake-ids-"));
  try {
    await pullLake({ out: lakeDir, persist: join(state, "v3") });
    const { db, close } = await openLake(lakeDir);
    try {
      const list = ids.map((id) => `'${id.replaceAll("'", "''")}'`).join(",");
      return await queryRows(db, `SELECT id, user_id, geofence_tag, geofence_description FROM milk_events_raw WHERE id IN (${list})`);
    } finally {
      close();
    }
  } catch {
    return []; // nothing written yet
  } finally {
    rmSync(lakeDir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), "milk-e2e-ids-"));
  pipeline = await startPipeline({ port: await freePort(), kinesisPort: 0, persistTo: state, onLog: (line) => logs.push(line) });
}, 120_000);

afterAll(async () => {
  await pipeline?.stop();
  rmSync(state, { recursive: true, force: true });
});

describe("one id, one event through npm start", () => {
  it("refuses colliding, reserved and broken ids with the JSON envelope, and lands each accepted id once under exactly its returned id", async () => {
    const run = crypto.randomUUID().slice(0, 8);
    const refusals: Array<Record<string, any>> = [];
    const refuse = async (body: unknown) => {
      const { status, json } = await post(body);
      expect(status).toBe(400);
      expect(json.error.code).toBe("validation_failed");
      refusals.push(json.error);
    };

    // Accepted: an explicit id and a derived id, both events carrying unpaired surrogates outside the id.
    const explicit = await post({ event: geofence({ _id: `${run}-explicit`, user: { _id: `${run}-drv\ud800` }, geofence: { tag: "farm\udc00", description: "halved \ud83d" } }) });
    const derived = await post({ event: geofence({ note: run, user: { _id: `${run}-drv2` }, geofence: { tag: "\ud800tag", description: "ok" } }) });
    expect([explicit.status, derived.status]).toEqual([202, 202]);
    const [derivedId] = derived.json.ids as string[];
    expect(derivedId).toMatch(/^sha256-[0-9a-f]{32}$/);
    const accepted = [...explicit.json.ids, derivedId!] as string[];

    // Refused: a later explicit _id equal to that derived id, alone or next to another event.
    await refuse({ event: geofence({ _id: derivedId, note: "another event" }) });
    await refuse({ events: [geofence({ _id: derivedId }), geofence({ note: `${run}-b` })] });
    await refuse({ event: geofence({ _id: `sha256-${"ab".repeat(16)}` }) });
    // Refused: ids that differ only in unpaired surrogates, and one ending in half an emoji.
    await refuse({ events: [geofence({ _id: `${run}\ud800x` }), geofence({ _id: `${run}\udc00x` })] });
    await refuse({ event: geofence({ _id: `${run}-\ud83d` }) });
    // Refused: two equal events without _id would share one derived id.
    const twin = geofence({ note: `${run}-twin` });
    await refuse({ events: [twin, { ...twin }] });
    expect(refusals.map((e) => e.issues?.[0]?.message)).toEqual([
      expect.stringContaining("reserved for ids derived"),
      expect.stringContaining("reserved for ids derived"),
      expect.stringContaining("reserved for ids derived"),
      expect.stringContaining("well-formed Unicode"),
      expect.stringContaining("well-formed Unicode"),
      expect.stringContaining("same id as event 0"),
    ]);

    const rows = await until("both accepted ids in the lake", async () => {
      const found = await lakeRows([...accepted, `${run}\ufffdx`, `${run}-\ufffd`]);
      return found.length >= 2 ? found : false;
    });
    await new Promise((r) => setTimeout(r, 2000)); // let any stray second row surface before counting
    const settled = await lakeRows([...accepted, `${run}\ufffdx`, `${run}-\ufffd`]);
    expect(settled.map((r) => r.id).sort()).toEqual([...accepted].sort());
    const byId = new Map(settled.map((r) => [r.id as string, r]));
    expect(byId.get(accepted[0]!)).toMatchObject({ user_id: `${run}-drv\ufffd`, geofence_tag: "farm\ufffd", geofence_description: "halved \ufffd" });
    expect(byId.get(derivedId!)).toMatchObject({ user_id: `${run}-drv2`, geofence_tag: "\ufffdtag" });
    expect(rows.length).toBe(2);

    const records = await until("both geofence events in Kinesis", async () => {
      const mine = ((await readAllRecords(pipeline.kinesis.call, pipeline.streamName)) as Array<{ data: Record<string, unknown> }>).filter((r) => accepted.includes(r.data.id as string));
      return mine.length >= 2 ? mine : false;
    });
    expect(records.map((r) => r.data.id).sort()).toEqual([...accepted].sort());
    for (const { data } of records) {
      const row = byId.get(data.id as string)!;
      expect([data.user_id, data.geofence_tag, data.geofence_description]).toEqual([row.user_id, row.geofence_tag, row.geofence_description]);
    }
  }, 240_000);
});
