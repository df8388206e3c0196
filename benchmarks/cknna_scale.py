"""CKNNA at scale: block-wise exact `vfmvae.alignment.cknna` vs the dense N×N reference `cknna_dense`.

Each measurement runs in its own subprocess so that peak memory is that of one method alone:
  - wall time of the metric call (features already generated and preprocessed),
  - peak resident memory during the call (CPU: VmHWM after resetting it; CUDA: max_memory_allocated),
    and the memory held before the call (the two float64 feature matrices).

Usage (heavy: run under the shared CPU lock):
    flock /tmp/vfmvae-heavy.lock .venv/bin/python benchmarks/cknna_scale.py            # N=10k dense+blocked, N=50k blocked
    .venv/bin/python benchmarks/cknna_scale.py --sizes 2000 --dense_max 2000            # quick smoke test
    .venv/bin/python benchmarks/cknna_scale.py --device cuda                            # same code on a GPU
"""
import argparse, json, os, subprocess, sys, time
from pathlib import Path


def _rss_mb(field):
    for line in open("/proc/self/status"):
        if line.startswith(field): return int(line.split()[1]) / 1024
    return float("nan")


def make_features(n, d, seed=0, device="cpu"):
    "A pair of (N, d) feature sets sharing a 64-d latent factor, preprocessed as the paper does (float64)."
    import torch
    from vfmvae.alignment import prepare_features
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(n, 64, generator=g)
    feats = []
    for s in (1, 2):
        w = torch.randn(64, d, generator=g) / 8
        x = z @ w
        x += torch.randn(n, d, generator=g) * (0.5 * s)
        feats.append(prepare_features(x.to(device)))
        del x
    return feats


def worker(method, n, d, k, device, threads):
    import torch
    from vfmvae.alignment import cknna, cknna_dense
    torch.set_num_threads(threads)
    A, B = make_features(n, d, device=device)
    cuda = device.startswith("cuda")
    if cuda:
        torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
        before = torch.cuda.memory_allocated() / 2**20
    else:
        try: open("/proc/self/clear_refs", "w").write("5")      # reset the high-water mark VmHWM
        except OSError: pass
        before = _rss_mb("VmRSS:")
    t0 = time.perf_counter()
    val = (cknna if method == "blocked" else cknna_dense)(A, B, k)
    if cuda: torch.cuda.synchronize()
    wall = time.perf_counter() - t0
    peak = torch.cuda.max_memory_allocated() / 2**20 if cuda else _rss_mb("VmHWM:")
    print(json.dumps(dict(method=method, n=n, d=d, k=k, device=device, wall_s=round(wall, 2), cknna=val,
                          mem_before_mb=round(before), peak_mb=round(peak), peak_extra_mb=round(peak - before))), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,50000", help="comma-separated N for the block-wise method")
    ap.add_argument("--dense_max", type=int, default=10000, help="also run the dense reference for N <= this")
    ap.add_argument("--d", type=int, default=1024); ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--device", default="cpu"); ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default="data/results/cknna_scale.json")
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS); ap.add_argument("--n", type=int, default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker: return worker(a.worker, a.n, a.d, a.k, a.device, a.threads)
    runs = []
    for n in [int(s) for s in a.sizes.split(",")]:
        for method in (["blocked", "dense"] if n <= a.dense_max else ["blocked"]):
            cmd = [sys.executable, __file__, "--worker", method, "--n", str(n), "--d", str(a.d), "--k", str(a.k),
                   "--device", a.device, "--threads", str(a.threads)]
            p = subprocess.run(cmd, capture_output=True, text=True)
            if p.returncode != 0:
                r = dict(method=method, n=n, d=a.d, error=(p.stderr.strip().splitlines() or ["killed"])[-1], rc=p.returncode)
            else: r = json.loads(p.stdout.strip().splitlines()[-1])
            runs.append(r); print(json.dumps(r), flush=True)
    print(f"\n{'method':8} {'N':>7} {'d':>5} {'wall s':>8} {'peak MB':>9} {'extra MB':>9}  CKNNA")
    for r in runs:
        if "error" in r: print(f"{r['method']:8} {r['n']:>7} {r['d']:>5}  FAILED: {r['error']}"); continue
        print(f"{r['method']:8} {r['n']:>7} {r['d']:>5} {r['wall_s']:>8.2f} {r['peak_mb']:>9} {r['peak_extra_mb']:>9}  {r['cknna']:.8f}")
    summary = {}
    for n in {r["n"] for r in runs}:
        b = next((r for r in runs if r["n"] == n and r["method"] == "blocked" and "error" not in r), None)
        dn = next((r for r in runs if r["n"] == n and r["method"] == "dense" and "error" not in r), None)
        if b and dn:
            summary[n] = dict(time_ratio_dense_over_blocked=round(dn["wall_s"] / b["wall_s"], 1),
                              extra_mem_ratio_dense_over_blocked=round(dn["peak_extra_mb"] / max(1, b["peak_extra_mb"]), 1),
                              abs_diff=abs(dn["cknna"] - b["cknna"]))
            print(f"N={n}: dense/blocked time {summary[n]['time_ratio_dense_over_blocked']}x, "
                  f"extra memory {summary[n]['extra_mem_ratio_dense_over_blocked']}x, |diff| {summary[n]['abs_diff']:.2e}")
    if a.out:
        import platform, torch
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(json.dumps(dict(runs=runs, summary={str(k): v for k, v in summary.items()},
                                               machine=dict(cpu_count=os.cpu_count(), threads=a.threads, torch=torch.__version__,
                                                            platform=platform.platform())), indent=1))


if __name__ == "__main__":
    main()
