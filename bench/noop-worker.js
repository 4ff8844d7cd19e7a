// The reference for the webhook benchmark: the cheapest Worker that answers like ours.
export default {
  async fetch() {
    return Response.json({ accepted: 1, ids: ["noop"] }, { status: 202 });
  },
};
