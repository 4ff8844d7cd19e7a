// freePort picks ports the kernel never hands out on its own, and only ports nobody holds.
import { createServer, type Server } from "node:net";
import { afterAll, expect, it } from "vitest";
import { ephemeralRange, freePort } from "../../scripts/lib/free-port.mjs";

const held: Server[] = [];
const hold = (port: number) =>
  new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => (held.push(server), resolve()));
  });

afterAll(async () => {
  await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
});

it("returns ports outside the ephemeral range, each free: held ones are never returned again", async () => {
  const { low, high } = ephemeralRange();
  const ports: number[] = [];
  for (let i = 0; i < 200; i++) {
    const port = await freePort();
    expect(port < low || port > high, `port ${port} inside ${low}-${high}`).toBe(true);
    await hold(port); // rejects if it was not free
    ports.push(port);
  }
  expect(new Set(ports).size).toBe(ports.length);
});
