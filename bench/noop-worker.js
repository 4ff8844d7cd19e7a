// References for the webhook benchmark: the cheapest Worker that answers like ours, the same plus
// the one structured log line per request ours used to write (?log=1), and the same plus the one
// queue send ours must await before its 202 (?send=1), to show what local Queues cost. Its queue's
// consumer only acks, so the reference pays the local broker's storing and dispatch, not a lake writer.
export default {
  async fetch(request, env) {
    if (request.url.endsWith("?log=1")) {
      console.log(JSON.stringify({ msg: "request", requestId: crypto.randomUUID(), method: request.method, path: "/webhooks/radar", status: 202, events: 1 }));
    }
    if (request.url.endsWith("?send=1")) await env.QUEUE.send(await request.json(), { contentType: "json" });
    return Response.json({ accepted: 1, ids: ["noop"] }, { status: 202 });
  },
  async queue(batch) {
    batch.ackAll();
  },
};
