// Before the webhook rounds: the mandatory-work floor (bench/checked-floor-worker.ts) must refuse
// what ours refuses, or its rate would be a floor for less work than the spec asks.
import { radarSignature } from "../../scripts/lib/simulator.mjs";
import { radarBody, SAMPLE_EVENT } from "./wrk.mjs";

async function post(url, token, { id, signature = radarSignature(token, id), eventId = id, event = SAMPLE_EVENT }) {
  const body = radarBody(eventId, event);
  const headers = { "Content-Type": "application/json", "X-Radar-Signing-Id": id, "X-Radar-Signature": signature };
  const res = await fetch(`${url}/webhooks/radar?checked=1`, { method: "POST", headers, body });
  await res.arrayBuffer();
  return res.status;
}

/** Throws unless the floor accepts a signed event and refuses a bad signature, a replay with another body, and an invalid event. */
export async function probeCheckedFloor(url, token) {
  const id = `floor-probe-${process.pid}-${Date.now()}`;
  const statuses = {
    signed: await post(url, token, { id }),
    bad_signature: await post(url, token, { id: `${id}-b`, signature: radarSignature(`${token}x`, `${id}-b`) }),
    replay_other_body: await post(url, token, { id, eventId: `${id}-other` }),
    invalid_event: await post(url, token, { id: `${id}-c`, event: { ...SAMPLE_EVENT, location: { type: "Point", coordinates: [500, 0] } } }),
  };
  const expected = { signed: 202, bad_signature: 401, replay_other_body: 401, invalid_event: 400 };
  if (Object.entries(expected).some(([k, status]) => statuses[k] !== status)) {
    throw new Error(`the mandatory-work floor does not check as ours does: ${JSON.stringify(statuses)}, expected ${JSON.stringify(expected)}`);
  }
}
