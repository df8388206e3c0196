"""The quick chain's key metrics on several CPUs side by side, and the per-CPU references `make repro-quick` checks.

The chain is bit for bit deterministic on one kind of machine, but float kernels differ between CPU ISAs (AVX2 vs
AVX-512: other blocking, other FMA order) and a GAN-trained tokenizer amplifies those last-bit differences. Run
`make repro-quick` in a fresh clone on the other machine, then, from this tree:

    .venv/bin/python benchmarks/repro_cpus.py "AMD EPYC · AVX512=/path/to/clone/runs/repro-quick/results" \\
        "AMD EPYC · AVX512, kernels capped at AVX2=runs-capped/repro-quick/results" --record "AMD EPYC · AVX512"

Every CPU recorded under `data/results/repro-quick/cpus/` is one set; each `label=results folder` (a finished quick
chain) is another, with its commits, stage wall times and the claims' verdicts beside the main summary's. Prints and
writes (only when runs are given) every metric of every set and the pairwise median, worst and exact-equal counts of
the relative differences to `data/results/repro_quick_cpus.json` (or `--out`); with `--record CPU`, that run's
metrics become the reference for that CPU (`data/results/repro-quick/cpus/<cpu>.json`).
"""
import argparse, itertools, json, os
from pathlib import Path
import numpy as np
from vfmvae.core import cpu_info, git_revision
from vfmvae.repro import compare_metrics, key_metrics, save_cpu_reference

REF = Path("data/results/repro-quick")

def run_set(folder: Path, main: dict) -> dict:
    "A finished quick chain's key metrics, commits, stage wall times and claims next to the main summary's."
    s = json.loads((folder / "summary.json").read_text())
    stages = [json.loads(p.read_text()) for p in folder.glob("*.json") if p.stem != "summary"]
    return {"commits": sorted({x["commit"] for x in stages}), "metrics": key_metrics(s),
            "stage_wall_s": {x["stage"]: x["wall_s"] for x in stages},
            "claims": [{"claim": x["claim"], "main": y["verdict"], "here": x["verdict"], "ours_main": y["ours"], "ours_here": x["ours"]}
                       for x, y in zip(s["claims"], main["claims"])]}

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("runs", nargs="*", help="label=results folder"); ap.add_argument("--record", action="append", default=[])
    ap.add_argument("--rtol", type=float, default=0.02); ap.add_argument("--out", default="data/results/repro_quick_cpus.json")
    a = ap.parse_args()
    main_summary = json.loads((REF / "summary.json").read_text())
    sets = {}
    for p in sorted((REF / "cpus").glob("*.json")):
        r = json.loads(p.read_text()); sets[r["cpu"]] = {"commits": [r["commit"]], "metrics": r["metrics"], "recorded": str(p)}
    for r in a.runs:
        label, folder = r.rsplit("=", 1)
        sets[label] = run_set(Path(folder), main_summary)
        same = sum(c["main"] == c["here"] for c in sets[label]["claims"])
        print(f"{label}: claims with the main summary's verdict: {same}/{len(sets[label]['claims'])}")
    pairs = []
    for x, y in itertools.combinations(sets, 2):
        c = compare_metrics(sets[x]["metrics"], sets[y]["metrics"], a.rtol); rd = np.array(list(c["rel_diff"].values()))
        pairs.append({"a": x, "b": y, "n": c["n"], "missing": c["missing"], "median_rel_diff": float(np.median(rd)),
                      "worst": c["worst"], "exact": int((rd == 0).sum()), "verdict": "REPRODUCED" if c["ok"] else "DIFFERS"})
        print(f"{x} vs {y}: median {np.median(rd):.2%}, worst {c['worst']['metric']} {c['worst']['rel_diff']:.1%}, "
              f"exact {int((rd == 0).sum())}/{c['n']}, {pairs[-1]['verdict']} at rtol {a.rtol:.0%}")
    if a.runs:                                  # the comparison is only rewritten from given runs
        out = {"chain": "quick", "seed": main_summary["config"]["seed"], "rtol": a.rtol, "this_cpu": cpu_info(),
               "sets": sets, "pairs": pairs, "load_avg_end": os.getloadavg(), "written_by_commit": git_revision()}
        Path(a.out).write_text(json.dumps(out, indent=1) + "\n"); print("wrote", a.out)
    for cpu in a.record:
        if cpu not in sets or "stage_wall_s" not in sets[cpu]:
            raise SystemExit(f"--record {cpu!r}: pass its results folder as '{cpu}=FOLDER'")
        print("recorded", save_cpu_reference(REF, sets[cpu]["metrics"], cpu, sets[cpu]["commits"][0]))

if __name__ == "__main__": main()
