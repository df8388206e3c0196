"""One 2048-d FID of N features against reference statistics: the dense path (two D×D float64 eigendecompositions,
`fid_from_stats`) vs the exact N×N form (`fid_to_stats`), each variant in its own process, best of 3.

    .venv/bin/python benchmarks/fid_lowrank.py

Writes data/results/fid_lowrank.json (seconds, ratio, relative difference of the two FIDs, load average).
"""
import json, os, subprocess, sys, time
from pathlib import Path

D, NS, REPEATS = 2048, (250, 1000), 3

def data(n):
    import numpy as np
    rs = np.random.RandomState(0); A = rs.randn(D, 64)
    def feats(k): return np.maximum(rs.randn(k, 64) @ A.T * 0.1 + rs.randn(k, D) * 0.3, 0)   # rank-64 signal + noise, ReLU
    ref = feats(3000); return feats(n), ref.mean(0), np.cov(ref, rowvar=False)

def one(variant, n):
    from vfmvae.eval_recon import feature_stats, fid_from_stats, fid_to_stats
    f, mu, sg = data(n); best, fid = float("inf"), None
    for _ in range(REPEATS):
        t = time.perf_counter()
        fid = fid_from_stats(*feature_stats(f), mu, sg) if variant == "dense" else fid_to_stats(f, mu, sg)
        best = min(best, time.perf_counter() - t)
    return {"variant": variant, "n": n, "best_s": best, "fid": fid}

if __name__ == "__main__":
    if len(sys.argv) == 3: print("RESULT " + json.dumps(one(sys.argv[1], int(sys.argv[2])))); sys.exit()
    rows = []
    for n in NS:
        r = {}
        for v in ("dense", "nxn"):
            out = subprocess.run([sys.executable, __file__, v, str(n)], capture_output=True, text=True, check=True).stdout
            r[v] = json.loads(next(l for l in out.splitlines() if l.startswith("RESULT "))[7:])
        row = {"n": n, "d": D, "dense_s": r["dense"]["best_s"], "nxn_s": r["nxn"]["best_s"],
               "speedup": r["dense"]["best_s"] / r["nxn"]["best_s"],
               "rel_diff_fid": abs(r["nxn"]["fid"] - r["dense"]["fid"]) / r["dense"]["fid"], "load_avg": os.getloadavg()}
        rows.append(row)
        print(f"N={n} D={D}: dense {row['dense_s']:.3f} s, N×N {row['nxn_s']:.3f} s, {row['speedup']:.1f}x, "
              f"|dFID|/FID {row['rel_diff_fid']:.1e}, load {row['load_avg'][0]:.2f}")
    from vfmvae.core import cpu_info, git_revision
    Path(__file__).resolve().parents[1].joinpath("data/results/fid_lowrank.json").write_text(json.dumps(
        {"rows": rows, "repeats": REPEATS, "cpu": cpu_info(), "commit": git_revision(),
         "data": "rank-64 signal + noise through a ReLU, reference N=3000", "date": time.strftime("%Y-%m-%dT%H:%M:%S")}, indent=1) + "\n")
