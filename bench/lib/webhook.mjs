// Webhook cost: our signed POST /webhooks/radar against a no-op Worker in the same runtime
// (wrangler dev / workerd), same load generator (autocannon), alternating A/B rounds.
import { join } from "node:path";
import autocannon from "autocannon";
import { ROOT } from "../../scripts/lib/dev-vars.mjs";
import { startWranglerDev } from "../../scripts/lib/local-pipeline.mjs";
import { radarSignature } from "../../scripts/lib/simulator.mjs";

function signedRequestFactory(token) {
  let n = 0;
  // A fresh event id and signing id per request, as real traffic: the lake writer cannot collapse
  // them, and the signing guard (src/guard/) refuses a signing id reused with another body.
  return () => {
    const id = `bench-${process.pid}-${++n}`;
    const headers = { "content-type": "application/json", "x-radar-signing-id": id, "x-radar-signature": radarSignature(token, id) };
    const body = JSON.stringify({
      event: {
        _id: id,
        type: "user.updated_trip",
        createdAt: new Date().toISOString(),
        location: { type: "Point", coordinates: [-119.2871, 36.0652] },
        locationAccuracy: 12.5,
        user: { _id: "65e70f3b2a9d4c0019b8e2aa", userId: "drv-4471", trip: { _id: "65e734f08c1f3b0021d4c002", metadata: { route_session_type: "RawMilk" } } },
      },
    });
    return { headers, body };
  };
}

async function load(url, path, factory, seconds, connections) {
  const result = await autocannon({
    url: url + path,
    method: "POST",
    connections,
    duration: seconds,
    requests: [{ setupRequest: (req) => ({ ...req, ...factory() }) }],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

/** @param {{ pipelineUrl: string, token: string, port: number, rounds: number, seconds: number, connections?: number }} o */
export async function measureWebhook({ pipelineUrl, token, port, rounds, seconds, connections = 16 }) {
  const noop = await startWranglerDev({ args: ["-c", join(ROOT, "bench", "noop-wrangler.toml")], port, readyPath: "/" });
  const factory = signedRequestFactory(token);
  const ours = [];
  const reference = [];
  const logging = [];
  const sending = [];
  try {
    await load(pipelineUrl, "/webhooks/radar", factory, 1, connections); // warm-up
    await load(noop.url, "/webhooks/radar", factory, 1, connections);
    for (let i = 0; i < rounds; i++) {
      ours.push(await load(pipelineUrl, "/webhooks/radar", factory, seconds, connections));
      reference.push(await load(noop.url, "/webhooks/radar", factory, seconds, connections));
      logging.push(await load(noop.url, "/webhooks/radar?log=1", factory, seconds, connections));
      sending.push(await load(noop.url, "/webhooks/radar?send=1", factory, seconds, connections));
    }
  } finally {
    await noop.stop();
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rps = mean(ours.map((r) => r.rps));
  const noopRps = mean(reference.map((r) => r.rps));
  const loggingRps = mean(logging.map((r) => r.rps));
  const sendingRps = mean(sending.map((r) => r.rps));
  return {
    rps: Math.round(rps),
    noop_rps: Math.round(noopRps),
    ratio: +(rps / noopRps).toFixed(3),
    p50_ms: mean(ours.map((r) => r.p50)),
    p99_ms: mean(ours.map((r) => r.p99)),
    noop_p50_ms: mean(reference.map((r) => r.p50)),
    // The same no-op plus one console.log per request, as ours logs: isolates the log transport cost.
    noop_with_log_rps: Math.round(loggingRps),
    ratio_vs_noop_with_log: +(rps / loggingRps).toFixed(3),
    // The same no-op plus one awaited queue send: the floor for any Worker that must enqueue before 202.
    noop_with_send_rps: Math.round(sendingRps),
    ratio_vs_noop_with_send: +(rps / sendingRps).toFixed(3),
    non2xx: ours.reduce((n, r) => n + r.non2xx + r.errors, 0),
    rounds,
    seconds_per_round: seconds,
    connections,
  };
}
