// References for the webhook benchmark: the cheapest Worker that answers like ours, and the
// same plus the one structured log line per request that ours writes (?log=1 selects it).
export default {
  async fetch(request) {
    if (request.url.endsWith("?log=1")) {
      console.log(JSON.stringify({ msg: "request", requestId: crypto.randomUUID(), method: request.method, path: "/webhooks/radar", status: 202, events: 1 }));
    }
    return Response.json({ accepted: 1, ids: ["noop"] }, { status: 202 });
  },
};
