// Types for bench/noop-worker.js, which bench/checked-floor-worker.ts builds on.
import { DurableObject } from "cloudflare:workers";

/** Sends the bodies that waited while its last send was in flight as one message; resolves once it is on the queue. */
export class Floor extends DurableObject {
  pack(body: string): Promise<string>;
}

declare const noop: {
  fetch(request: Request, env: unknown, ctx: ExecutionContext): Promise<Response>;
  queue(batch: MessageBatch): Promise<void>;
};
export default noop;
