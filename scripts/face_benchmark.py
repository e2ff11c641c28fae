#!/usr/bin/env python3
"""Face matching, Linli beside faiss, on the same vectors in the same run.

512-dim L2-normalised float32 galleries of 20,000 and 100,000 faces (seeded), 1,000 probes each (noisy
views of enrolled faces and strangers), single probes, one thread, both pinned to the same core.
faiss-cpu's IndexFlatIP is the peer. Both answers are checked against an exact float64 search: the
top-1 must be identical on every probe.

    pip install faiss-cpu numpy
    (cd Benchmarks && swift build -c release --product FaceBench)
    python3 scripts/face_benchmark.py [--sizes 20000,100000] [--probes 1000]
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def normalise(x):
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def pin():
    try:
        os.sched_setaffinity(0, {0})
    except (AttributeError, OSError):
        pass


def faiss_run(gallery, probes):
    import faiss
    faiss.omp_set_num_threads(1)
    index = faiss.IndexFlatIP(gallery.shape[1])
    index.add(gallery)
    for probe in probes[:20]:
        index.search(probe[None, :], 1)
    times, top = [], []
    for probe in probes:
        start = time.perf_counter_ns()
        _, ids = index.search(probe[None, :], 1)
        times.append((time.perf_counter_ns() - start) / 1e6)
        top.append(int(ids[0][0]))
    times.sort()
    return {"p50_ms": times[len(times) // 2], "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))], "top1": top}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="20000,100000")
    parser.add_argument("--probes", type=int, default=1000)
    parser.add_argument("--kernel", choices=["best", "avx2", "scalar"], default="best",
                        help="force Linli's first-pass kernel (the portable paths, on a CPU that has more)")
    parser.add_argument("--bin", default=os.path.join(ROOT, "Benchmarks/.build/release/FaceBench"))
    args = parser.parse_args()
    pin()
    rng = np.random.default_rng(20261126)
    folder = tempfile.mkdtemp(prefix="linli-faces-")
    for size in [int(s) for s in args.sizes.split(",")]:
        gallery = normalise(rng.standard_normal((size, 512), dtype=np.float32))
        picks = rng.integers(0, size, args.probes)
        probes = gallery[picks] + rng.standard_normal((args.probes, 512), dtype=np.float32) * 0.03
        strangers = rng.random(args.probes) < 0.25
        probes[strangers] = rng.standard_normal((int(strangers.sum()), 512), dtype=np.float32)
        probes = normalise(probes)
        exact = np.argmax(probes.astype(np.float64) @ gallery.astype(np.float64).T, axis=1).tolist()
        gallery.tofile(os.path.join(folder, "gallery.f32"))
        probes.tofile(os.path.join(folder, "probes.f32"))
        linli = json.loads(subprocess.run(
            ["taskset", "-c", "0", args.bin, os.path.join(folder, "gallery.f32"), os.path.join(folder, "probes.f32"), "512"],
            check=True, capture_output=True, text=True,
            env=dict(os.environ, LINLI_FACE_KERNEL=args.kernel)).stdout)
        peer = faiss_run(gallery, probes)
        print(json.dumps({
            "gallery": size, "probes": args.probes, "kernel": linli["kernel"],
            "linli_p50_ms": round(linli["p50_ms"], 3), "linli_p99_ms": round(linli["p99_ms"], 3),
            "faiss_p50_ms": round(peer["p50_ms"], 3), "faiss_p99_ms": round(peer["p99_ms"], 3),
            "linli_top1_exact": sum(a == b for a, b in zip(linli["top1"], exact)),
            "faiss_top1_exact": sum(a == b for a, b in zip(peer["top1"], exact)),
            "linli_enrol_per_s": round(linli["enrol_per_s"]),
        }))


if __name__ == "__main__":
    main()
