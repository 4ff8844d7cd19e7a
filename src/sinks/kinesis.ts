import { AwsClient } from "aws4fetch";
import { errorMessage } from "../errors";

/** PutRecords limits: 500 entries and 5 MiB (data plus partition keys) per request. */
export const MAX_RECORDS_PER_CALL = 500;
export const MAX_BYTES_PER_CALL = 5 * 1024 * 1024;
const encoder = new TextEncoder();

export interface KinesisEntry {
  data: Uint8Array;
  partitionKey: string;
}

export type PutOutcome =
  | { kind: "ok"; failed: number[] }
  | { kind: "retryable" | "config"; status: number; error: string };

export interface KinesisTarget {
  client: AwsClient;
  endpoint: string;
  streamName: string;
}

const THROTTLING = /ProvisionedThroughputExceeded|LimitExceeded|Throttl|KMSThrottling|InternalFailure|ServiceUnavailable/;

/** Builds the signer once per batch; few own retries, the queue owns durable retrying. */
export function createKinesisTarget(env: Env): KinesisTarget | { missing: string[] } {
  const required = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "KINESIS_STREAM_NAME"] as const;
  const missing: string[] = required.filter((name) => !env[name]);
  if (missing.length) return { missing };
  const region = env.AWS_REGION || "us-east-1";
  const client = new AwsClient({
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    ...(env.AWS_SESSION_TOKEN && { sessionToken: env.AWS_SESSION_TOKEN }),
    service: "kinesis",
    region,
    retries: 2,
  });
  const endpoint = env.KINESIS_ENDPOINT || `https://kinesis.${region}.amazonaws.com`;
  return { client, endpoint, streamName: env.KINESIS_STREAM_NAME };
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Splits entries into PutRecords calls within the count and size limits; returns index groups. */
export function chunkEntries(entries: KinesisEntry[]): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  entries.forEach((entry, i) => {
    const size = entry.data.byteLength + encoder.encode(entry.partitionKey).byteLength;
    if (current.length && (current.length === MAX_RECORDS_PER_CALL || bytes + size > MAX_BYTES_PER_CALL)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(i);
    bytes += size;
  });
  if (current.length) chunks.push(current);
  return chunks;
}

/** One PutRecords call. Partial failures come back as the failed entry indexes. */
export async function putRecords(target: KinesisTarget, entries: KinesisEntry[]): Promise<PutOutcome> {
  const body = JSON.stringify({
    StreamName: target.streamName,
    Records: entries.map((e) => ({ Data: toBase64(e.data), PartitionKey: e.partitionKey })),
  });
  let response: Response;
  try {
    response = await target.client.fetch(`${target.endpoint.replace(/\/+$/, "")}/`, {
      method: "POST",
      headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.PutRecords" },
      body,
    });
  } catch (err) {
    return { kind: "retryable", status: 0, error: errorMessage(err) };
  }
  const text = await response.text();
  if (response.ok) return parseSuccess(text, entries.length);
  const type = safeJson(text)?.__type ?? text.slice(0, 200);
  const retryable = response.status >= 500 || response.status === 429 || THROTTLING.test(String(type));
  return { kind: retryable ? "retryable" : "config", status: response.status, error: String(type) };
}

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function parseSuccess(text: string, count: number): PutOutcome {
  const records = safeJson(text)?.Records;
  if (!Array.isArray(records) || records.length !== count) {
    return { kind: "retryable", status: 200, error: "PutRecords response did not list every record" };
  }
  const failed: number[] = [];
  records.forEach((r: { ErrorCode?: string; SequenceNumber?: string }, i) => {
    if (r?.ErrorCode || !r?.SequenceNumber) failed.push(i);
  });
  return { kind: "ok", failed };
}
