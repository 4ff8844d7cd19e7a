// CPU time and memory of a process group (wrangler dev and its workerd children) from /proc, Linux only.
// Under a shared, noisy machine, CPU per request moves far less than requests per second.
import { readFileSync, readdirSync } from "node:fs";

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** `/proc/<pid>/stat` fields after the ")" that closes the command name, for each live process in group `pgid`; null off Linux. */
function groupStats(pgid) {
  let pids;
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return null;
  }
  const out = [];
  for (const pid of pids) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // state ppid pgrp … utime(12th) stime(13th)
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid) out.push({ pid, comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), fields });
  }
  return out;
}

/** `/proc/<pid>/cmdline` with spaces, or "" once the process is gone. */
function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return "";
  }
}

/**
 * CPU milliseconds so far of group `pgid`, split by role: `worker` is the workerd that runs the
 * Workers (wrangler gives it the inspector), `proxy` the workerd of wrangler's own proxy in front
 * of it, `rest` wrangler's Node and esbuild. Null off Linux, or when no workerd has the inspector.
 */
export function groupCpuSplitMs(pgid) {
  const stats = groupStats(pgid);
  if (stats === null) return null;
  const split = { worker: 0, proxy: 0, rest: 0 };
  let found = false;
  for (const { pid, comm, fields } of stats) {
    const ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    const role = comm !== "workerd" ? "rest" : cmdline(pid).includes("--inspector-addr") ? "worker" : "proxy";
    found ||= role === "worker";
    split[role] += ms;
  }
  // No workerd with the inspector: wrangler starts them differently now, and a split would be wrong.
  return found ? split : null;
}

/** Milliseconds of user + system CPU used so far by every live process in group `pgid`; null off Linux. */
export function groupCpuMs(pgid) {
  const stats = groupStats(pgid);
  if (stats === null) return null;
  return stats.reduce((ms, { fields }) => ms + (Number(fields[11]) + Number(fields[12])) * TICK_MS, 0);
}

/** Peak resident memory (VmHWM) in MB of the largest workerd process in group `pgid`; null off Linux. */
export function peakWorkerdMb(pgid) {
  const stats = groupStats(pgid);
  if (stats === null) return null;
  let peakKb = 0;
  for (const { pid, comm } of stats) {
    if (comm !== "workerd") continue;
    try {
      peakKb = Math.max(peakKb, Number(/^VmHWM:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0));
    } catch {
      // exited meanwhile
    }
  }
  return Math.round(peakKb / 1024);
}
