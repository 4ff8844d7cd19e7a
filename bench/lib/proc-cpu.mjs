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

/** utime + stime of one process's stat fields, in ms. */
const cpuMs = (fields) => (Number(fields[11]) + Number(fields[12])) * TICK_MS;

/** `/proc/<pid>/cmdline` with spaces, or "" once the process is gone. */
function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return "";
  }
}

/**
 * CPU milliseconds so far of the workerd in group `pgid` that runs the Workers (wrangler gives it
 * the inspector), without wrangler's proxy workerd in front of it or its Node. Null off Linux, or
 * when no workerd has the inspector: wrangler would start them differently, and a figure would be wrong.
 */
export function workersWorkerdCpuMs(pgid) {
  const stats = groupStats(pgid);
  if (stats === null) return null;
  const workers = stats.filter(({ pid, comm }) => comm === "workerd" && cmdline(pid).includes("--inspector-addr"));
  return workers.length === 0 ? null : workers.reduce((ms, { fields }) => ms + cpuMs(fields), 0);
}

/** Milliseconds of user + system CPU used so far by every live process in group `pgid`; null off Linux. */
export function groupCpuMs(pgid) {
  const stats = groupStats(pgid);
  if (stats === null) return null;
  return stats.reduce((ms, { fields }) => ms + cpuMs(fields), 0);
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
