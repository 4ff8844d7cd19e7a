// A guard shard woken on a full store, under wrangler dev: POST /fill writes a day of bindings
// through the shard's own storage code (src/guard/binding-rows.ts); GET /check asks the shard, so
// on a freshly started workerd it times the wake-up (rows read from SQLite, index rebuilt).
import { BindingRows } from "../src/guard/binding-rows";
import { packEntries, type Entry } from "../src/guard/guard-index";
import { SigningGuard } from "../src/guard/signing-guard";

/** 32 hex chars from a xorshift: random-looking ids, cheaper than crypto for millions of them. */
function hexSource(seed: number): () => string {
  let x = seed >>> 0 || 1;
  const word = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0).toString(16).padStart(8, "0");
  };
  return () => word() + word() + word() + word();
}

export class WakeBenchGuard extends SigningGuard {
  /** Writes `perMinute` bindings into each of the last `minutes` minutes, one append per minute, as the shard's flushes do. */
  async fill(perMinute: number, minutes: number): Promise<number> {
    const rows = new BindingRows(this.ctx.storage);
    const hex = hexSource(perMinute * minutes);
    const now = Math.floor(Date.now() / 60_000);
    let keys = 0;
    for (let minute = now - minutes + 1; minute <= now; minute++) {
      const entries: Entry[] = Array.from({ length: perMinute }, () => ({ idHash: hex(), bodyHash: hex() }));
      rows.append(packEntries(entries), minute);
      keys += perMinute;
    }
    return keys;
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    // Answers without touching the shard, so the first check is the one that wakes it.
    if (url.pathname === "/ready") return Response.json({ ready: true });
    const shard = env.WAKE_GUARD.get(env.WAKE_GUARD.idFromName("wake"));
    if (url.pathname === "/fill") {
      const keys = await shard.fill(Number(url.searchParams.get("per")), Number(url.searchParams.get("minutes")));
      return Response.json({ keys });
    }
    if (url.pathname === "/check") {
      const verdict = await shard.check("0".repeat(32), "1".repeat(32));
      return Response.json({ verdict, entries: (await shard.getStats()).entries });
    }
    return Response.json({ error: "unknown path" }, { status: 404 });
  },
} satisfies ExportedHandler<{ WAKE_GUARD: DurableObjectNamespace<WakeBenchGuard> }>;
