"""How much does the chain's gFID move with the sampling seed? For the final EMA snapshot of every diffusion run of a
finished chain, gFID with the chain's N and reference, sample seeds 0 (the chain's own) and a few more; prints the
spread and whether each gFID comparison of the claims table keeps its sign under every seed.

    python benchmarks/gfid_seed_spread.py configs/repro/full.yaml --seeds 1 2 3

Writes data/results/<chain name>_gfid_seed_spread.json. Run it alone (it is timed) on a finished chain's run folders.
"""
import argparse, json, os, statistics, sys, time
from pathlib import Path

import torch

from vfmvae.core import atomic_write, git_revision
from vfmvae.eval_gen import evaluate_run, imagenette_reference
from vfmvae.repro import _dirs, _inception, diffusion_runs, repro_config, snapshot_dirs

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("config"); ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
a = ap.parse_args()
cfg = repro_config(a.config)
if cfg.threads: torch.set_num_threads(cfg.threads)
d, inc, t0 = _dirs(cfg), _inception(), time.time()
ref = imagenette_reference("val", cfg.resolution, cfg.ref_n, cache=str(d["ref"]), inc=inc)
out = {}
for run in diffusion_runs(cfg):
    snaps = snapshot_dirs(cfg, run)
    if not snaps: sys.exit(f"error: {run} has no snapshots in {d['dit'] / run}: run the chain first")
    g = {}
    for s in [cfg.seed, *a.seeds]:
        g[s] = evaluate_run(d["dit"] / run, cfg.gen_n, cfg.ref_n, snaps[-1], seed=s, npz=False, inc=inc, ref=ref,
                            tag=f"seed{s}")["gfid"]
        print(f"{run} @{snaps[-1].name}: seed {s} gFID-{cfg.gen_n} = {g[s]:.2f}", flush=True)
    v = list(g.values())
    rec = Path(cfg.publish) / f"gfid-{run}.json"
    chain = json.loads(rec.read_text())["result"]["curve"][-1][1] if rec.is_file() else None
    out[run] = {"chain_gfid": chain, "seed_matches_chain": None if chain is None else abs(chain - g[cfg.seed]) < 1e-6,
                "snapshot": snaps[-1].name, "gfid_by_seed": g, "mean": statistics.mean(v), "std": statistics.stdev(v),
                "range": max(v) - min(v)}
pairs = {"reg-vfmvae < lightningdit-vfmvae": ("reg-vfmvae", "lightningdit-vfmvae"),
         "lightningdit-vfmvae < lightningdit-vavae": ("lightningdit-vfmvae", "lightningdit-vavae"),
         "lightningdit-vavae < lightningdit-klvae": ("lightningdit-vavae", "lightningdit-klvae")}
signs = {name: [out[x]["gfid_by_seed"][s] < out[y]["gfid_by_seed"][s] for s in out[x]["gfid_by_seed"]]
         for name, (x, y) in pairs.items() if x in out and y in out}
res = {"chain": cfg.name, "n": cfg.gen_n, "n_ref": cfg.ref_n, "seeds": [cfg.seed, *a.seeds], "runs": out,
       "comparison_holds_per_seed": signs, "wall_s": round(time.time() - t0, 1),
       "load_avg": [round(x, 2) for x in os.getloadavg()], "commit": git_revision()}
path = Path("data/results") / f"{cfg.name}_gfid_seed_spread.json"
atomic_write(path, json.dumps(res, indent=1, sort_keys=True) + "\n")
for run, r in out.items():
    print(f"{run}: gFID-{cfg.gen_n} {r['mean']:.2f} ± {r['std']:.2f} (range {r['range']:.2f}) over seeds {res['seeds']}")
for name, s in signs.items(): print(f"{name}: holds for {sum(s)} of {len(s)} seeds")
print(f"wrote {path} ({res['wall_s']:.0f} s, load {res['load_avg'][0]})")
