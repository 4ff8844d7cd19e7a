// CPU time of a process group (wrangler dev and its workerd children) from /proc, Linux only.
// Under a shared, noisy machine, CPU per request moves far less than requests per second.
import { readFileSync, readdirSync } from "node:fs";

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** Milliseconds of user + system CPU used so far by every live process in group `pgid`; null off Linux. */
export function groupCpuMs(pgid) {
  let pids;
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return null;
  }
  let ticks = 0;
  for (const pid of pids) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the ")" that closes the command name: state ppid pgrp … utime(12th) stime(13th).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * TICK_MS;
}
