import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/**
 * The kernel's range for ports it hands out itself (bind to port 0, the local side of outbound
 * connections). A port chosen there can be taken by anyone between our check and the server's own
 * bind: a CI run lost wrangler dev's start that way ("Address already in use", 2026-12-04 18:50).
 * @returns {{ low: number, high: number }}
 */
export function ephemeralRange() {
  try {
    const [low = 0, high = 0] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (low > 0 && high >= low) return { low, high };
  } catch {
    // not Linux
  }
  return { low: 32768, high: 60999 }; // Linux's default; macOS uses 49152-65535
}

/** Ports below the ephemeral range when there is room there, else above it. */
function candidateRange() {
  const { low, high } = ephemeralRange();
  return low - 10_000 >= 1_024 ? { from: low - 10_000, to: low - 1 } : { from: high + 1, to: 65_535 };
}

/** Resolves true when `port` could be bound on 127.0.0.1 just now. */
function canBind(port) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (err) => (err.code === "EADDRINUSE" || err.code === "EACCES" ? resolve(false) : reject(err)));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port that was free a moment ago on 127.0.0.1, outside the kernel's ephemeral range, so no
 * bind to port 0 or outbound connection on this machine takes it before the caller's server binds.
 */
export async function freePort() {
  const { from, to } = candidateRange();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from + 1));
    if (await canBind(port)) return port;
  }
  throw new Error(`no free TCP port found in ${from}-${to}`);
}

/** Rejects with a message naming the port and its variable when something listens on it. */
export function assertPortFree(port, variable) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (err) =>
      reject(err.code === "EADDRINUSE" ? new Error(`${variable} ${port} is already in use (another \`npm start\`?). Stop it or set ${variable} to a free port.`) : err),
    );
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}
