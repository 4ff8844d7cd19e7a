import { createServer } from "node:net";

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
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
