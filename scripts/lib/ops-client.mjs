// Calls the Worker's admin routes (local `npm start` or a deployed Worker).

/** POSTs `body` to an admin route, or GETs it when there is no body. */
async function call(url, token, path, body) {
  const response = await fetch(`${url.replace(/\/+$/, "")}/admin/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${json.error?.code ?? ""} ${json.error?.message ?? ""}`.trim());
  return json;
}

/** Redrives every parked dead letter of `queue` ("ingest" | "forward" | "table"), page by page. */
export async function redrive({ url, token, queue, onPage = () => {} }) {
  let total = 0;
  for (let page = 0; page < 10_000; page++) {
    const result = await call(url, token, "redrive", { queue, limit: 500 });
    total += result.redriven;
    onPage(result);
    if (!result.more || result.redriven === 0) break;
  }
  return total;
}

/**
 * Rebuilds locations/ from raw/: one admin call enqueues a compaction job per hour (the
 * cron's path); then each job's status is polled until it is done (or blocked).
 */
export async function rebuild({ url, token, from, to, onHour = () => {}, pollMs = 1000, timeoutMs = 30 * 60_000 }) {
  const DAY = 24 * 3_600_000; // the route takes at most 24 hours per call
  const jobs = [];
  for (let t = Date.parse(from); t < Date.parse(to); t += DAY) {
    jobs.push(...(await call(url, token, "rebuild", { from: new Date(t).toISOString(), to: new Date(Math.min(t + DAY, Date.parse(to))).toISOString() })).jobs);
  }
  const results = [];
  for (const { jobId } of jobs) {
    const started = Date.now();
    let status = await call(url, token, `rebuild/${jobId}`);
    while (status.state !== "done" && status.state !== "blocked") {
      if (Date.now() - started > timeoutMs) throw new Error(`rebuild job ${jobId} still ${status.state} after ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      status = await call(url, token, `rebuild/${jobId}`);
    }
    results.push(status);
    onHour(status);
  }
  return results;
}
