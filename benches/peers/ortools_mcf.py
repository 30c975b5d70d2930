#!/usr/bin/env python3
"""Solve a DIMACS min-cost flow file with OR-Tools' SimpleMinCostFlow (the
peer of benches/transport.rs, run by hand, not by CI).

    python3 benches/peers/ortools_mcf.py PATH.dimacs [RUNS]

Prints the median of RUNS (default 5) solve times, each on a freshly
built solver (building it is not timed), and the optimal cost.
"""
import statistics
import sys
import time

import numpy as np
from ortools.graph.python import min_cost_flow


def read_dimacs(path):
    supplies = None
    tails, heads, caps, costs = [], [], [], []
    with open(path) as f:
        for line in f:
            if line.startswith("a "):
                _, u, v, _low, cap, cost = line.split()
                tails.append(int(u) - 1)
                heads.append(int(v) - 1)
                caps.append(int(cap))
                costs.append(int(cost))
            elif line.startswith("n "):
                _, v, b = line.split()
                supplies[int(v) - 1] = int(b)
            elif line.startswith("p "):
                _, _min, nodes, _arcs = line.split()
                supplies = np.zeros(int(nodes), dtype=np.int64)
    return (
        supplies,
        np.array(tails, dtype=np.int32),
        np.array(heads, dtype=np.int32),
        np.array(caps, dtype=np.int64),
        np.array(costs, dtype=np.int64),
    )


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    supplies, tails, heads, caps, costs = read_dimacs(path)
    print(f"{len(supplies)} nodes, {len(tails)} arcs", flush=True)
    times, cost = [], None
    for _ in range(runs):
        smcf = min_cost_flow.SimpleMinCostFlow()
        smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
        smcf.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
        t = time.perf_counter()
        status = smcf.solve()
        times.append(time.perf_counter() - t)
        if status != smcf.OPTIMAL:
            sys.exit(f"OR-Tools: status {status}")
        cost = smcf.optimal_cost()
        print(f"solve {times[-1]:.3f} s, cost {cost}", flush=True)
    print(f"median solve {statistics.median(times):.3f} s over {runs}, optimal cost {cost}")


if __name__ == "__main__":
    main()
