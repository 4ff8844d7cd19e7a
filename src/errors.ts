import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { capLogField } from "./log-field";
import { requestRecord } from "./edge/request-record";

export type ErrorCode =
  | "unauthorized"
  | "signature_replayed"
  | "body_incomplete"
  | "guard_unavailable"
  | "guard_overloaded"
  | "token_list_invalid"
  | "admin_disabled"
  | "unsupported_media_type"
  | "payload_too_large"
  | "invalid_json"
  | "validation_failed"
  | "method_not_allowed"
  | "not_found"
  | "queue_unavailable"
  | "internal_error";

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  unauthorized: 401,
  signature_replayed: 401,
  body_incomplete: 400,
  guard_unavailable: 503,
  guard_overloaded: 503,
  token_list_invalid: 503,
  admin_disabled: 403,
  unsupported_media_type: 415,
  payload_too_large: 413,
  invalid_json: 400,
  validation_failed: 400,
  method_not_allowed: 405,
  not_found: 404,
  queue_unavailable: 503,
  internal_error: 500,
};

export interface ErrorIssue {
  path: string;
  message: string;
}

type SchemaIssues = { issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string }> };

/** zod issues as envelope issues: a dotted path (or "(root)") and the message. */
export function toIssues(error: SchemaIssues): ErrorIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.length ? issue.path.map(String).join(".") : "(root)", message: issue.message }));
}

/** The message of anything thrown, for logs. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The one error type routes throw; `onError` turns it into the JSON envelope. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: ErrorIssue[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

export function renderError(c: Context, error: ApiError): Response {
  const body = { error: { code: error.code, message: error.message, ...(error.issues && { issues: error.issues }) } };
  requestRecord(c).refusal = error.code;
  return c.json(body, error.status, error.headers);
}

/** Single error path: known errors keep their status, anything else is a logged, opaque 500. */
export function handleError(err: Error, c: Context): Response {
  if (err instanceof ApiError) return renderError(c, err);
  if (err instanceof HTTPException && err.status === 404) {
    return renderError(c, new ApiError("not_found", "no such route"));
  }
  console.error(JSON.stringify({ msg: "unhandled error", name: capLogField(err.name), error: capLogField(err.message) }));
  return renderError(c, new ApiError("internal_error", "internal error"));
}
