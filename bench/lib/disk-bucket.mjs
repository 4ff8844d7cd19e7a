// An R2-like bucket on disk for the compaction benchmark: object bytes live in files, not in
// the heap being measured. Implements what src/lake/ uses: get, put, list (prefix, delimiter,
// cursor, customMetadata), delete and multipart uploads (which enforce R2's equal part sizes).
import { open } from "node:fs/promises";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join, relative } from "node:path";

const META = ".__meta.json";

const toBytes = (value) =>
  typeof value === "string" ? Buffer.from(value) : value instanceof ArrayBuffer ? Buffer.from(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);

/** Concatenates files through a 1 MiB buffer (never a whole part in memory). */
function concatFiles(sources, target) {
  const out = openSync(target, "w");
  const buffer = Buffer.alloc(1024 * 1024);
  for (const source of sources) {
    const fd = openSync(source, "r");
    for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) writeSync(out, buffer, 0, n);
    closeSync(fd);
    rmSync(source);
  }
  closeSync(out);
}

/**
 * An object body read 64 KiB at a time, only when the reader asks (as an R2 body is):
 * Readable.toWeb on Node 20 reads ahead without backpressure, which would put every open run of a
 * merge in memory and bill it to the step being measured.
 */
function pullStream(path) {
  let handle;
  return new ReadableStream(
    {
      async pull(controller) {
        handle ??= await open(path, "r");
        const buffer = new Uint8Array(64 * 1024);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead > 0) return controller.enqueue(buffer.subarray(0, bytesRead));
        await handle.close();
        controller.close();
      },
      cancel: () => handle?.close(),
    },
    { highWaterMark: 0 },
  );
}

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (!entry.name.endsWith(META) && !entry.name.includes(".__part")) out.push(path);
  }
  return out;
}

/** A Buffer's own bytes: a small one shares Node's 8 KiB pool, so `.buffer` alone holds other data. */
const exactBuffer = (b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);

/** One macrotask turn per call, as network I/O would give: lets the memory sampler's timers run. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

export function diskBucket(root) {
  const pathOf = (key) => join(root, key);
  const describe = (key, withMeta) => {
    const path = pathOf(key);
    const stat = statSync(path);
    const meta = withMeta && existsSync(path + META) ? JSON.parse(readFileSync(path + META, "utf8")) : {};
    return { key, size: stat.size, uploaded: stat.mtime, customMetadata: meta, httpMetadata: {} };
  };
  const store = (key, bytes, options = {}) => {
    mkdirSync(dirname(pathOf(key)), { recursive: true });
    writeFileSync(pathOf(key), bytes);
    writeFileSync(pathOf(key) + META, JSON.stringify(options.customMetadata ?? {}));
    return describe(key, true);
  };
  return {
    async put(key, value, options) {
      await turn();
      return store(key, value instanceof Blob ? Buffer.from(await value.arrayBuffer()) : toBytes(value), options);
    },
    async get(key) {
      await turn();
      if (!existsSync(pathOf(key))) return null;
      const object = describe(key, true);
      const body = pullStream(pathOf(key));
      return { ...object, body, json: async () => JSON.parse(readFileSync(pathOf(key), "utf8")), arrayBuffer: async () => exactBuffer(readFileSync(pathOf(key))) };
    },
    async delete(keys) {
      for (const key of [keys].flat()) rmSync(pathOf(key), { force: true }), rmSync(pathOf(key) + META, { force: true });
    },
    async list({ prefix = "", delimiter, cursor, limit = 1000, include = [] } = {}) {
      await turn();
      const base = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/") + 1) : "";
      const keys = walk(join(root, base)).map((p) => relative(root, p)).filter((k) => k.startsWith(prefix) && (!cursor || k > cursor)).sort();
      const prefixes = new Set();
      const objects = [];
      let i = 0;
      for (; i < keys.length && objects.length < limit; i++) {
        const cut = delimiter ? keys[i].indexOf(delimiter, prefix.length) : -1;
        if (cut >= 0) prefixes.add(keys[i].slice(0, cut + 1));
        else objects.push(keys[i]);
      }
      const truncated = i < keys.length;
      return { objects: objects.map((k) => describe(k, include.includes("customMetadata"))), delimitedPrefixes: [...prefixes], truncated, cursor: objects.at(-1) };
    },
    async createMultipartUpload(key, options) {
      const parts = new Map();
      const partPath = (n) => `${pathOf(key)}.__part${n}`;
      mkdirSync(dirname(pathOf(key)), { recursive: true });
      return {
        key,
        async uploadPart(n, value) {
          const bytes = toBytes(value);
          writeFileSync(partPath(n), bytes);
          parts.set(n, bytes.length);
          return { partNumber: n, etag: `etag-${n}` };
        },
        async complete(uploaded) {
          const sizes = uploaded.map((p) => parts.get(p.partNumber));
          if (sizes.slice(0, -1).some((s) => s !== sizes[0] || s < 5 * 1024 * 1024)) throw new Error(`unequal or small parts: ${sizes}`);
          concatFiles(uploaded.map((p) => partPath(p.partNumber)), pathOf(key));
          writeFileSync(pathOf(key) + META, JSON.stringify(options?.customMetadata ?? {}));
          return describe(key, true);
        },
        async abort() {
          for (const n of parts.keys()) rmSync(partPath(n), { force: true });
        },
      };
    },
  };
}
