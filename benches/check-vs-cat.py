#!/usr/bin/env python3
"""`noteplate check` against reading the same files with `cat`, run by turns (issue 12's goal:
`check` on 10,000 templates within 2x of reading them, CPU/wall at least 1.7 on 2 cores).

    benches/check-vs-cat.py CORPUS_DIR ROUNDS BINARY [BINARY...]

Each round runs `cat` on every `.note` file of CORPUS_DIR (through `xargs -0`, as the file list
is long) and then `BINARY check CORPUS_DIR --format json` for each binary, output to /dev/null.
Taking turns, rather than all runs of one command and then all of the next (as hyperfine does),
puts every command through the same moments of a shared, noisy machine, so the ratios of the
medians are fairer than the medians themselves. Prints, per command, the median and quartiles
of the wall time, the mean user and system time and CPU over wall, and each binary's median
over `cat`'s. Make the corpus with `benches/check-10k.sh` (`NOTEPLATE_CORPUS=DIR` keeps it).
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time


def run(command):
    """Wall, user and system seconds of one run of `command` (a list), output discarded."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    # `check` exits 1 on findings (the generated corpus has them on purpose); 2 is an error.
    if code not in (0, 1):
        sys.exit(f"{' '.join(command)} exited with {code}")
    return wall, usage.ru_utime, usage.ru_stime


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    corpus, rounds, binaries = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    files = sorted(
        os.path.join(root, name)
        for root, _, names in os.walk(corpus)
        for name in names
        if name.endswith(".note")
    )
    if not files:
        sys.exit(f"no .note files under {corpus}")
    with tempfile.NamedTemporaryFile("wb", suffix=".files") as listing:
        listing.write(b"\0".join(os.fsencode(path) for path in files))
        listing.flush()
        commands = [("cat", ["xargs", "-0", "-a", listing.name, "cat"])]
        commands += [
            (binary, [binary, "check", corpus, "--format", "json"]) for binary in binaries
        ]
        for _, command in commands:  # warm-up: the files in the page cache
            run(command)
        samples = {name: [] for name, _ in commands}
        for _ in range(rounds):
            for name, command in commands:
                samples[name].append(run(command))
    print(f"{len(files)} files, {rounds} rounds by turns")
    cat_median = statistics.median(wall for wall, _, _ in samples["cat"])
    for name, runs in samples.items():
        walls = sorted(wall for wall, _, _ in runs)
        quartiles = statistics.quantiles(walls, n=4)
        user = statistics.mean(u for _, u, _ in runs)
        system = statistics.mean(s for _, _, s in runs)
        median = statistics.median(walls)
        ratio = "" if name == "cat" else f", {median / cat_median:.2f}x cat"
        print(
            f"{name}: median {median * 1000:.0f} ms (quartiles {quartiles[0] * 1000:.0f}-"
            f"{quartiles[2] * 1000:.0f} ms), user {user * 1000:.0f} ms, system "
            f"{system * 1000:.0f} ms, CPU/wall {(user + system) / statistics.mean(walls):.2f}"
            f"{ratio}"
        )


if __name__ == "__main__":
    main()
