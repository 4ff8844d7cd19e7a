import type { Context } from "hono";
import type { ErrorCode } from "../errors";

/** What a request's handlers tell its log line and metric (routes and the error handler fill it in). */
export interface RequestRecord {
  requestId: string;
  refusal?: ErrorCode;
  eventCount?: number;
  eventTypes?: Map<string, number>;
  /** Strings of the accepted events in which an unpaired surrogate became U+FFFD. */
  repairedStrings?: number;
}

// Keyed by the platform's Request, which Hono hands every handler as c.req.raw.
const records = new WeakMap<Request, RequestRecord>();

/** A fresh record with its request id, for the request the edge starts serving (request-log.ts). */
export function openRecord(request: Request): RequestRecord {
  const record: RequestRecord = { requestId: crypto.randomUUID() };
  records.set(request, record);
  return record;
}

/** The record of the request `c` serves; one of its own when it came without withRequestLog (route tests). */
export function requestRecord(c: Context): RequestRecord {
  return records.get(c.req.raw) ?? openRecord(c.req.raw);
}
