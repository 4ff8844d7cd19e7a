// Local Kinesis for development and tests: kinesalite in this process, plus a tiny client.
import { createRequire } from "node:module";
import { AwsClient } from "aws4fetch";

const require = createRequire(import.meta.url);

/** Starts in-memory kinesalite on 127.0.0.1; resolves once it listens. */
export async function startKinesalite({ port = 4567, host = "127.0.0.1" } = {}) {
  const kinesalite = require("kinesalite");
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 50 });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const actualPort = server.address().port;
  return {
    endpoint: `http://${host}:${actualPort}`,
    port: actualPort,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Calls any Kinesis JSON operation; kinesalite checks the SigV4 headers' presence, not their value. */
export function kinesisClient(endpoint, region = "us-east-1") {
  const aws = new AwsClient({ accessKeyId: "local-dev-key", secretAccessKey: "local-dev-secret", service: "kinesis", region, retries: 0 });
  return async function call(operation, body) {
    const response = await aws.fetch(`${endpoint}/`, {
      method: "POST",
      headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": `Kinesis_20131202.${operation}` },
      body: JSON.stringify(body),
    });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(`${operation}: ${json.__type ?? response.status} ${json.message ?? ""}`);
      error.type = json.__type;
      throw error;
    }
    return json;
  };
}

/** Creates the stream unless it exists, and waits until it is ACTIVE. */
export async function ensureStream(call, streamName, shardCount = 2) {
  try {
    await call("CreateStream", { StreamName: streamName, ShardCount: shardCount });
  } catch (err) {
    if (!String(err.type).includes("ResourceInUse")) throw err;
  }
  for (let i = 0; i < 100; i++) {
    const { StreamDescription } = await call("DescribeStream", { StreamName: streamName });
    if (StreamDescription.StreamStatus === "ACTIVE") return StreamDescription;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`stream ${streamName} did not become ACTIVE`);
}

/** Every record in the stream, from the start of each shard: { shardId, partitionKey, data }. */
export async function readAllRecords(call, streamName) {
  const { StreamDescription } = await call("DescribeStream", { StreamName: streamName });
  const records = [];
  for (const shard of StreamDescription.Shards) {
    let { ShardIterator: iterator } = await call("GetShardIterator", { StreamName: streamName, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" });
    for (let page = 0; iterator && page < 1000; page++) {
      const out = await call("GetRecords", { ShardIterator: iterator, Limit: 10000 });
      for (const r of out.Records) records.push(toRecord(shard.ShardId, r));
      if (out.Records.length === 0 || out.MillisBehindLatest === 0) break;
      iterator = out.NextShardIterator;
    }
  }
  return records;
}

/**
 * Prints-as-it-goes reader: the last `limit` records already in the stream, then (with `follow`)
 * new ones every second until `signal` aborts. Records: { shardId, partitionKey, sequenceNumber, data }.
 */
export async function followRecords(call, streamName, { follow = false, limit = Infinity, signal, onRecord }) {
  const existing = await readAllRecords(call, streamName);
  for (const r of existing.slice(Math.max(0, existing.length - limit))) onRecord(r);
  if (!follow) return;
  const { StreamDescription } = await call("DescribeStream", { StreamName: streamName });
  const iterators = new Map();
  for (const shard of StreamDescription.Shards) {
    const { ShardIterator } = await call("GetShardIterator", { StreamName: streamName, ShardId: shard.ShardId, ShardIteratorType: "LATEST" });
    iterators.set(shard.ShardId, ShardIterator);
  }
  while (!signal?.aborted) {
    for (const [shardId, iterator] of iterators) {
      const out = await call("GetRecords", { ShardIterator: iterator, Limit: 10000 });
      for (const r of out.Records) onRecord(toRecord(shardId, r));
      iterators.set(shardId, out.NextShardIterator);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function toRecord(shardId, r) {
  return { shardId, partitionKey: r.PartitionKey, sequenceNumber: r.SequenceNumber, data: JSON.parse(Buffer.from(r.Data, "base64").toString("utf8")) };
}
