// References for the webhook benchmark: the cheapest Worker that answers like ours, and the floor
// variants: the same plus one structured log line (?log=1), one awaited queue send (?send=1), one
// Durable Object call (?do=1), or a Durable Object call and a send (?do=1&send=1), the least work a
// guarded Worker that answers only once events are enqueued can do. Its queue's consumer only
// acks, so the reference pays the local broker's storing and dispatch, not a lake writer.
import { DurableObject } from "cloudflare:workers";

export class Floor extends DurableObject {
  ping() {
    return "new";
  }
}

export default {
  async fetch(request, env) {
    const params = new URL(request.url).searchParams;
    if (params.has("log")) {
      console.log(JSON.stringify({ msg: "request", requestId: crypto.randomUUID(), method: request.method, path: "/webhooks/radar", status: 202, events: 1 }));
    }
    if (params.has("do")) await env.FLOOR.get(env.FLOOR.idFromName("floor")).ping();
    if (params.has("send")) await env.QUEUE.send(await request.json(), { contentType: "json" });
    return Response.json({ accepted: 1, ids: ["noop"] }, { status: 202 });
  },
  async queue(batch) {
    batch.ackAll();
  },
};
