#!/usr/bin/env python3
"""CPU time (user + sys) and peak memory of processes, measured side by side.

    benches/cpu.py RUNS LABEL -- CMD... [--- LABEL -- CMD...]...

Runs each command RUNS times, interleaved (A B A B ...), so load on a shared
machine falls on all of them alike; prints per command the median CPU time
of the process (user + sys, from wait4's rusage, microsecond resolution),
the median wall time and the largest peak RSS, then each command's CPU
ratio to the first one. Output goes to /dev/null.
"""
import os, subprocess, sys, time

def main():
    args = sys.argv[1:]
    runs = int(args.pop(0))
    cmds, cur = [], None
    for a in args:
        if a == "---":
            cur = None
            continue
        if cur is None:
            cur = [a, None, []]
            cmds.append(cur)
        elif cur[1] is None:
            assert a == "--", "expected -- after the label"
            cur[1] = True
        else:
            cur[2].append(a)
    res = {c[0]: [] for c in cmds}
    devnull = open(os.devnull, "w")
    for _ in range(runs):
        for label, _, argv in cmds:
            t = time.monotonic()
            p = subprocess.Popen(argv, stdout=devnull, stderr=devnull)
            _, _, ru = os.wait4(p.pid, 0)
            res[label].append((ru.ru_utime + ru.ru_stime, time.monotonic() - t, ru.ru_maxrss))
    med = lambda xs: sorted(xs)[len(xs) // 2]
    base = None
    print(f"| what | CPU s (median of {runs}) | wall s | peak RSS MiB | CPU ratio |")
    print("|---|---:|---:|---:|---:|")
    for label, _, _ in cmds:
        r = res[label]
        cpu = med([x[0] for x in r])
        base = base or cpu
        print(f"| {label} | {cpu:.4f} | {med([x[1] for x in r]):.4f} | "
              f"{max(x[2] for x in r) / 1024:.1f} | {cpu / base:.2f} |")

main()
