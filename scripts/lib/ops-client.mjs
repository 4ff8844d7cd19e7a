// Calls the Worker's admin routes (local `npm start` or a deployed Worker).

async function call(url, token, path, body) {
  const response = await fetch(`${url.replace(/\/+$/, "")}/admin/${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${json.error?.code ?? ""} ${json.error?.message ?? ""}`.trim());
  return json;
}

/** Redrives every parked dead letter of `queue` ("ingest" | "forward"), page by page. */
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

/** Rebuilds locations/ hour by hour (one admin call per hour keeps each call small). */
export async function rebuild({ url, token, from, to, onHour = () => {} }) {
  const HOUR = 3_600_000;
  const results = [];
  for (let t = Math.floor(Date.parse(from) / HOUR) * HOUR; t < Date.parse(to); t += HOUR) {
    const { hours } = await call(url, token, "rebuild", { from: new Date(t).toISOString(), to: new Date(t + HOUR).toISOString() });
    for (const h of hours) {
      results.push(h);
      onHour(h);
    }
  }
  return results;
}
