/** Polls `probe` every 500 ms until it returns something other than `false`. */
export async function until<T>(what: string, probe: () => Promise<T | false>, timeoutMs = 90_000, context: () => string = () => ""): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
