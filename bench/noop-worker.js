// References for the webhook benchmark: the cheapest Worker that answers like ours, and the floor
// variants: the same plus one structured log line (?log=1), one awaited queue send (?send=1), one
// Durable Object call (?do=1), or a Durable Object call and a send (?do=1&send=1), the least work a
// guarded Worker that answers only once events are enqueued can do, and that call carrying the body
// to an object that packs it with other requests' bodies (?pack=1, the floor of our design). Its
// queue's consumer only acks, so the reference pays the local broker's storing and dispatch, not a
// lake writer. ?burn=N adds N steps of pure arithmetic: the CPU budget references, whose Worker
// CPU the bench reads from /proc, show what throughput a Worker keeps for each added millisecond.
import { DurableObject } from "cloudflare:workers";

/**
 * ?pack=1 is the design's own floor: the body goes to the object, which sends the bodies of the
 * requests that arrived while its last send was in flight as one message, and answers each once
 * its message is on the queue. No signature, validation, binding or gather window: only the
 * platform work a webhook that packs through its guard cannot skip.
 */
export class Floor extends DurableObject {
  waiting = [];
  flying = false;

  ping() {
    return "new";
  }

  pack(body) {
    const done = new Promise((resolve, reject) => this.waiting.push({ body, resolve, reject }));
    if (!this.flying) void this.drain();
    return done;
  }

  async drain() {
    this.flying = true;
    while (this.waiting.length > 0) {
      const group = this.takeGroup();
      try {
        await this.env.QUEUE.send(group.map((w) => w.body).join("\n"), { contentType: "text" });
        group.forEach((w) => w.resolve("new"));
      } catch (err) {
        group.forEach((w) => w.reject(err));
      }
    }
    this.flying = false;
  }

  /** The oldest waiting bodies that fit one message (128 KB less metadata; the bench sends ASCII, a byte per char): `--connections` can exceed 32. */
  takeGroup() {
    let bytes = 0;
    let n = 0;
    while (n < this.waiting.length && (n === 0 || bytes + this.waiting[n].body.length + 1 <= 120_000)) bytes += this.waiting[n++].body.length + 1;
    return this.waiting.splice(0, n);
  }
}

/** Pure CPU, no allocation and no I/O: workerd's clock stands still while a request computes, so steps, not time. */
function burn(steps) {
  let x = 1;
  for (let i = 0; i < steps; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  return x;
}

export default {
  async fetch(request, env) {
    const params = new URL(request.url).searchParams;
    // The result is used, so the loop cannot be dropped as dead code.
    if (params.has("burn") && burn(Number(params.get("burn"))) === 0x7fffffff) console.log("burn");
    if (params.has("log")) {
      console.log(JSON.stringify({ msg: "request", requestId: crypto.randomUUID(), method: request.method, path: "/webhooks/radar", status: 202, events: 1 }));
    }
    if (params.has("do")) await env.FLOOR.get(env.FLOOR.idFromName("floor")).ping();
    if (params.has("pack")) await env.FLOOR.get(env.FLOOR.idFromName("floor")).pack(await request.text());
    if (params.has("send")) await env.QUEUE.send(await request.json(), { contentType: "json" });
    return Response.json({ accepted: 1, ids: ["noop"] }, { status: 202 });
  },
  async queue(batch) {
    batch.ackAll();
  },
};
