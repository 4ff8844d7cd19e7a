import type { Reporter, TestCase, TestModule } from "vitest/node";

/**
 * Ends a run that has stopped making progress, naming the test files still running. A stuck
 * file is never timed out by vitest itself: once a file runs, the pool waits for it without a
 * bound, and a test's own timeout is a timer inside the runtime it runs in (workerd for
 * test/workers), which a stuck runtime never fires. One CI run sat silent for 80 minutes after
 * the last workers file's result (2026-12-04, `issues ci` of stop 33).
 *
 * The bound is longer than any test or hook may take on its own (360 s, start-lifecycle.test.ts),
 * so only a run where nothing at all finished for that long is ended. STALL_WATCHDOG_MS
 * overrides it; 0 turns the watchdog off. With no file running, a quarter of it: a file starts
 * within seconds of the last, and the hang seen here (CI, then a local clean-clone run at 16:02 on
 * 2026-12-04) sat between the last workers file and the first node file. Its cause, a late log line
 * waiting on vitest's console spy, is avoided in vitest.config.ts (WORKERS_CONSOLE); this bound
 * stays for what else may stall.
 */
const DEFAULT_STALL_MS = 8 * 60_000;

export default class StallWatchdog implements Reporter {
  private readonly running = new Map<string, number>();
  private lastProgress = Date.now();
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly stallMs = Number(process.env.STALL_WATCHDOG_MS ?? DEFAULT_STALL_MS);

  onTestRunStart(): void {
    if (!(this.stallMs > 0)) return;
    this.lastProgress = Date.now();
    this.timer = setInterval(() => this.check(), Math.min(10_000, this.stallMs / 4));
    this.timer.unref();
  }

  onTestModuleStart(module: TestModule): void {
    this.running.set(module.moduleId, Date.now());
    this.lastProgress = Date.now();
  }

  onTestModuleEnd(module: TestModule): void {
    this.running.delete(module.moduleId);
    this.lastProgress = Date.now();
  }

  onTestCaseResult(_test: TestCase): void {
    this.lastProgress = Date.now();
  }

  onTestRunEnd(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    const silentMs = Date.now() - this.lastProgress;
    if (silentMs < (this.running.size > 0 ? this.stallMs : this.stallMs / 4)) return;
    const files = [...this.running].map(([id, since]) => `  ${id} (started ${Math.round((Date.now() - since) / 1000)} s ago)`);
    process.stderr.write(
      `\nstall watchdog: no test finished for ${Math.round(silentMs / 1000)} s; ending the run (exit 3).\n` +
        `test files still running:\n${files.join("\n") || "  none (the run is stuck between files)"}\n`,
    );
    process.exit(3);
  }
}
