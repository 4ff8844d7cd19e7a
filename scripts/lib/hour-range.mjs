// Validates a rebuild range: both ends ISO 8601 with a date and a time, from < to, at most 31 days.
const HOUR_MS = 3_600_000;
const MAX_HOURS = 31 * 24;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:\d{2})$/;

/** { from, to, hours } as ISO strings, or { error }. */
export function parseHourRange(from, to) {
  if (!from || !to) return { error: "rebuild needs --from and --to" };
  for (const [name, text] of [["--from", from], ["--to", to]]) {
    if (!ISO.test(text) || Number.isNaN(Date.parse(text))) return { error: `${name} must be an ISO 8601 time with a zone, e.g. 2026-11-24T03:00:00Z; got "${text}"` };
  }
  const start = Math.floor(Date.parse(from) / HOUR_MS) * HOUR_MS;
  const end = Date.parse(to);
  if (end <= start) return { error: `--to (${to}) must be after --from (${from})` };
  const hours = Math.ceil((end - start) / HOUR_MS);
  if (hours > MAX_HOURS) return { error: `the range spans ${hours} hours; at most ${MAX_HOURS} (31 days) per run, split it` };
  return { from: new Date(start).toISOString(), to: to, hours };
}
