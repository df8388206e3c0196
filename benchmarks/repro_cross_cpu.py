"""How far a chain's numbers move on another CPU: compare a finished chain's results folder with the committed one.

The chain is deterministic on one kind of machine (a rerun gives the same bits), but float kernels differ between CPU
ISAs (AVX2 vs AVX-512: other blocking, other FMA order), and a GAN-trained tokenizer amplifies those last-bit
differences. Run the chain on the other machine first (`make repro-quick` in a fresh clone), then:

    .venv/bin/python benchmarks/repro_cross_cpu.py /path/to/clone/runs/repro-quick/results \
        --reference data/results/repro-quick --reference-cpu "..." --wall "25:15 (make repro-quick, fresh clone)"

Writes data/results/repro_<name>_cross_cpu.json: every key metric's relative difference, the claims' verdicts on
both machines, and this CPU (`vfmvae.core.cpu_info`).
"""
import argparse, json, os
from pathlib import Path
import numpy as np
from vfmvae.core import cpu_info, git_revision
from vfmvae.repro import compare_to_reference, key_metrics

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results"); ap.add_argument("--reference", default="data/results/repro-quick")
    ap.add_argument("--reference-cpu", default=""); ap.add_argument("--wall", default="")
    ap.add_argument("--rtol", type=float, default=0.02); ap.add_argument("--out", default=None)
    a = ap.parse_args()
    here, ref = (json.loads((Path(p) / "summary.json").read_text()) for p in (a.results, a.reference))
    c = compare_to_reference(here, ref, a.rtol)
    rd = np.array(list(c["rel_diff"].values()))
    km_h, km_r = key_metrics(here), key_metrics(ref)
    name = here["config"]["name"]
    stages = [json.loads(p.read_text()) for p in Path(a.results).glob("*.json") if p.stem != "summary"]
    out = {"chain": name, "reference": a.reference, "reference_cpu": a.reference_cpu, "this_cpu": cpu_info(),
           "commit_here": sorted({s["commit"] for s in stages}), "wall": a.wall, "load_avg_end": os.getloadavg(),
           "seed": here["config"]["seed"], "n_metrics": c["n"], "rtol": a.rtol, "verdict": "REPRODUCED" if c["ok"] else "DIFFERS",
           "worst": c["worst"], "median_rel_diff": float(np.median(rd)),
           "within": {f"{t:.0%}": int((rd <= t).sum()) for t in (0.01, 0.02, 0.05, 0.10, 0.25)},
           "metrics": {k: {"reference": km_r[k], "here": km_h[k], "rel_diff": v}
                       for k, v in sorted(c["rel_diff"].items(), key=lambda kv: -kv[1])},
           "claims": [{"claim": x["claim"], "reference": y["verdict"], "here": x["verdict"], "ours_reference": y["ours"], "ours_here": x["ours"]}
                      for x, y in zip(here["claims"], ref["claims"])],
           "stage_wall_s": {s["stage"]: s["wall_s"] for s in stages}, "written_by_commit": git_revision()}
    same = sum(cl["reference"] == cl["here"] for cl in out["claims"])
    print(f"{name}: {c['n']} metrics, median {out['median_rel_diff']:.1%}, worst {c['worst']['metric']} {c['worst']['rel_diff']:.1%}, "
          f"within 2%: {out['within']['2%']}, within 10%: {out['within']['10%']}; claims with the same verdict: {same}/{len(out['claims'])}")
    p = Path(a.out or f"data/results/repro_{name}_cross_cpu.json"); p.write_text(json.dumps(out, indent=1)); print("wrote", p)

if __name__ == "__main__": main()
