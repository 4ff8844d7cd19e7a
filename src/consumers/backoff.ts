/**
 * Exponential backoff with jitter for `message.retry({ delaySeconds })`.
 * `attempts` is the Queues delivery count, starting at 1.
 */
export function backoffSeconds(attempts: number, baseSeconds = 5, capSeconds = 900): number {
  const exponential = Math.min(capSeconds, baseSeconds * 2 ** Math.max(0, attempts - 1));
  const jittered = exponential / 2 + Math.random() * (exponential / 2);
  return Math.max(1, Math.round(jittered));
}
