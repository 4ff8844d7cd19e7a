import { env, exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { example } from "../fixtures/radar-examples";
import { listKeys, readNdjsonGz, readParquetObject } from "../fixtures/lake";
import { signedHeaders } from "../fixtures/webhook";

describe("edge → real queue → lake writer → R2", () => {
  it("lands a signed webhook in locations/ and raw/ for its event hour", async () => {
    const body = example("03-trip-updated-observed-shape.json");
    const response = await exports.default.fetch("https://edge.test/webhooks/radar", {
      method: "POST",
      headers: await signedHeaders(),
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(202);
    const { ids } = await response.json<{ ids: string[] }>();

    const prefix = "locations/dt=2024-03-05/hour=15/";
    const keys = await vi.waitUntil(async () => {
      const found = await listKeys(env.LAKE_BUCKET, prefix);
      return found.length > 0 ? found : false;
    }, { timeout: 10_000, interval: 50 });
    const { rows } = await readParquetObject(env.LAKE_BUCKET, keys[0]!);
    expect(rows.map((r) => r.id)).toEqual(ids);
    expect(rows[0]).toMatchObject({ trip_id: "65e734f08c1f3b0021d4c002", route_session_type: "RawMilk" });

    const [raw] = await listKeys(env.LAKE_BUCKET, "raw/dt=2024-03-05/hour=15/");
    const archived = (await readNdjsonGz(env.LAKE_BUCKET, raw!)) as Array<{ event: unknown }>;
    expect(archived[0]!.event).toStrictEqual(body.event);
  });
});
