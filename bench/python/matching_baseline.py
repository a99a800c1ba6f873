"""Baselines for bench/matching.ts, timed in the same run on the same data.

Usage (called by bench/matching.ts; inputs are raw little-endian arrays in a temp dir):
  matching_baseline.py lsap DIR        -> per-solve seconds of scipy.optimize.linear_sum_assignment
  matching_baseline.py allpairs DIR    -> per-pair seconds of a Python loop over scipy (optimal, mean similarity)
  matching_baseline.py matmul DIR      -> seconds for a cosine-similarity matrix with numpy (normalise + A @ A.T)
  matching_baseline.py numpy_allpairs DIR -> seconds of all-pairs set scores as a numpy user writes them
                                          (chamfer, centroid, exact assignment by all permutations)
Prints one JSON object on stdout.
"""

import json
import sys
import time

import numpy as np
from scipy.optimize import linear_sum_assignment


def best_of(repeats, fn):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def lsap(directory):
    spec = json.load(open(f"{directory}/lsap.json"))
    out = {}
    for case in spec["cases"]:
        n, count = case["n"], case["count"]
        costs = np.fromfile(f"{directory}/lsap_{n}.f64", dtype="<f8").reshape(count, n, n)

        def run():
            total = 0.0
            for k in range(count):
                r, c = linear_sum_assignment(costs[k])
                total += costs[k][r, c].sum()
            return total

        seconds, total = best_of(3, run)
        out[str(n)] = {"perSolve": seconds / count, "checksum": total}
    return out


def allpairs(directory):
    spec = json.load(open(f"{directory}/allpairs.json"))
    rows, cols = spec["rows"], spec["cols"]
    S = np.fromfile(f"{directory}/allpairs_S.f32", dtype="<f4").reshape(rows, cols)
    query_sets = [np.array(q) for q in spec["querySets"]]
    gallery_sets = [np.array(g) for g in spec["gallerySets"]]

    def run():
        scores = np.empty((len(query_sets), len(gallery_sets)))
        for qi, Q in enumerate(query_sets):
            block_rows = S[Q]
            for gi, G in enumerate(gallery_sets):
                block = block_rows[:, G]
                r, c = linear_sum_assignment(block, maximize=True)
                scores[qi, gi] = block[r, c].mean()
        return scores

    seconds, scores = best_of(1, run)
    pairs = len(query_sets) * len(gallery_sets)
    return {"perPair": seconds / pairs, "pairs": pairs, "checksum": float(scores.sum())}


def matmul(directory):
    spec = json.load(open(f"{directory}/matmul.json"))
    n, d = spec["n"], spec["d"]
    E = np.fromfile(f"{directory}/matmul_E.f32", dtype="<f4").reshape(n, d)

    def run():
        U = E / np.linalg.norm(E, axis=1, keepdims=True)
        return U @ U.T

    seconds, S = best_of(spec.get("repeats", 2), run)
    probe = [float(S[i, j]) for i, j in spec["probe"]]
    return {"seconds": seconds, "probe": probe}


def numpy_allpairs(directory):
    """All-pairs set scores from unit embeddings, vectorised the way a numpy user writes them.

    Q, G: (nq * k, d) and (ng * k, d) float32 unit rows; set i is rows i*k .. i*k + k - 1.
    chamfer:  S = Q @ G.T; S.reshape(nq, k, ng, k).max(axis=3).mean(axis=1)   (A -> B, setsim's default)
    centroid: cosine of the mean vectors (one product of the normalised means)
    optimal:  every permutation at once: max over perms of mean S[a, perm(a)] (sets of k <= 6),
              in chunks of query sets so the (chunk, ng, k!, k) gather fits in memory.
    """
    import itertools

    spec = json.load(open(f"{directory}/numpy_allpairs.json"))
    nq, ng, k, d = spec["nq"], spec["ng"], spec["k"], spec["d"]
    Q = np.fromfile(f"{directory}/np_Q.f32", dtype="<f4").reshape(nq * k, d)
    G = np.fromfile(f"{directory}/np_G.f32", dtype="<f4").reshape(ng * k, d)
    perms = np.array(list(itertools.permutations(range(k))))

    def chamfer():
        S = Q @ G.T
        return S.reshape(nq, k, ng, k).max(axis=3).mean(axis=1)

    def centroid():
        mq = Q.reshape(nq, k, d).mean(axis=1)
        mg = G.reshape(ng, k, d).mean(axis=1)
        mq /= np.linalg.norm(mq, axis=1, keepdims=True)
        mg /= np.linalg.norm(mg, axis=1, keepdims=True)
        return mq @ mg.T

    def optimal():
        S = (Q @ G.T).reshape(nq, k, ng, k).transpose(0, 2, 1, 3)  # (nq, ng, k, k)
        out = np.empty((nq, ng), dtype=np.float32)
        rows = np.arange(k)
        chunk = max(1, int(2e7 // (ng * len(perms) * k)))
        for q0 in range(0, nq, chunk):
            block = S[q0:q0 + chunk]  # (c, ng, k, k)
            out[q0:q0 + chunk] = block[:, :, rows, perms].sum(axis=-1).max(axis=-1) / k
        return out

    out = {}
    for name, fn in (("chamfer", chamfer), ("centroid", centroid), ("optimal", optimal)):
        start = time.perf_counter()
        scores = fn()
        out[name] = time.perf_counter() - start
        np.asarray(scores, dtype="<f8").tofile(f"{directory}/np_scores_{name}.f64")
    return out


if __name__ == "__main__":
    command, directory = sys.argv[1], sys.argv[2]
    commands = {"lsap": lsap, "allpairs": allpairs, "matmul": matmul, "numpy_allpairs": numpy_allpairs}
    result = commands[command](directory)
    print(json.dumps(result))
