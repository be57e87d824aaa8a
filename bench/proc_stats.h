// Readings of another process from /proc: resident memory and consumed CPU time.
// Pure functions over /proc; thread-safe. Linux only.
#pragma once

namespace kite::bench {

// VmRSS of `pid` in KiB, or -1 when it cannot be read.
long read_rss_kib(int pid);
// User + system CPU time `pid` has used so far, in microseconds (clock-tick resolution), or -1.
double read_cpu_us(int pid);

}  // namespace kite::bench
