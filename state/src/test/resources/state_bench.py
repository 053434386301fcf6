"""Run inside a hardened function container by StateBenchmark: times the Python SDK's get, put
and cas over the function's socket, then counts ops/s of N processes; prints one line per figure."""

import multiprocessing
import sys
import time

from stoke import state


def timed(n, op):
    out = []
    for i in range(n):
        start = time.perf_counter_ns()
        op(i)
        out.append((time.perf_counter_ns() - start) / 1000.0)
    return out


def worker(seconds, index, counts):
    deadline = time.monotonic() + seconds
    done = 0
    key = "tp-" + str(index)
    while time.monotonic() < deadline:
        state.put(key, "v")
        state.get(key)
        done += 2
    counts[index] = done


def main():
    n, clients, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    state.put("bench", "v0")
    # Warm-up: the service's JIT and Redis's scripts, so the first measured op is not charged for them.
    timed(n, lambda i: state.get("bench"))
    timed(n, lambda i: state.put("bench", "w" + str(i)))
    for name, op in (("get", lambda i: state.get("bench")),
                     ("put", lambda i: state.put("bench", "v" + str(i)))):
        print(name, " ".join("%.1f" % x for x in timed(n, op)), flush=True)
    version = state.get("bench")[1]
    cas_times = []
    for i in range(n):
        start = time.perf_counter_ns()
        version = state.cas("bench", "c" + str(i), version)
        cas_times.append((time.perf_counter_ns() - start) / 1000.0)
        if version is None:
            raise SystemExit("cas lost its version")
    print("cas", " ".join("%.1f" % x for x in cas_times), flush=True)
    counts = multiprocessing.Array("l", clients)
    procs = [multiprocessing.Process(target=worker, args=(seconds, i, counts)) for i in range(clients)]
    begin = time.monotonic()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print("throughput", sum(counts) / (time.monotonic() - begin), flush=True)


main()
