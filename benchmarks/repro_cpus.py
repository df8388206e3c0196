"""The quick chain's key metrics on several CPUs side by side, and the per-CPU references `make repro-quick` checks.

    .venv/bin/python benchmarks/repro_cpus.py "AMD EPYC · AVX512=runs/repro-quick/results" \\
        "AMD EPYC · AVX512, kernels capped at AVX2=runs-capped/repro-quick/results" --record "AMD EPYC · AVX512"

Each `label=results folder` is a finished quick chain; `data/results/repro-quick` (the main reference) and the
AVX2 run kept in `data/results/repro_quick_cross_cpu.json` are always included. Writes
`data/results/repro_quick_cpus.json` (every metric on every CPU, pairwise median and worst relative differences) when
runs are given and, with `--record CPU`, that CPU's metrics as `data/results/repro-quick/cpus/<cpu>.json`.
"""
import argparse, itertools, json, os
from pathlib import Path
import numpy as np
from vfmvae.core import git_revision
from vfmvae.repro import compare_metrics, key_metrics, save_cpu_reference

REF = Path("data/results/repro-quick")

def commits(folder):
    return sorted({json.loads(p.read_text())["commit"] for p in Path(folder).glob("*.json") if p.stem != "summary"})

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("runs", nargs="*", help="label=results folder"); ap.add_argument("--record", action="append", default=[])
    ap.add_argument("--main-cpu", default="Intel(R) Xeon(R) Processor · AVX512")
    a = ap.parse_args()
    cross = json.loads(Path("data/results/repro_quick_cross_cpu.json").read_text())
    sets = {a.main_cpu: (key_metrics(json.loads((REF / "summary.json").read_text())), commits(REF)),
            cross["this_cpu"]: ({k: v["here"] for k, v in cross["metrics"].items()}, cross["commit_here"])}
    for r in a.runs:
        label, folder = r.rsplit("=", 1)
        sets[label] = (key_metrics(json.loads((Path(folder) / "summary.json").read_text())), commits(folder))
    pairs = []
    for x, y in itertools.combinations(sets, 2):
        c = compare_metrics(sets[x][0], sets[y][0], 0.02); rd = np.array(list(c["rel_diff"].values()))
        pairs.append({"a": x, "b": y, "n": c["n"], "median_rel_diff": float(np.median(rd)), "worst": c["worst"],
                      "exact": int((rd == 0).sum())})
        print(f"{x} vs {y}: median {np.median(rd):.2%}, worst {c['worst']['metric']} {c['worst']['rel_diff']:.1%}, exact {int((rd == 0).sum())}/{c['n']}")
    if a.runs:                                  # the comparison is only rewritten from given runs
        out = {"chain": "quick", "seed": 0, "sets": {k: {"commits": v[1], "metrics": v[0]} for k, v in sets.items()},
               "pairs": pairs, "load_avg_end": os.getloadavg(), "written_by_commit": git_revision()}
        Path("data/results/repro_quick_cpus.json").write_text(json.dumps(out, indent=1) + "\n")
    for cpu in a.record:
        if cpu not in sets: raise SystemExit(f"--record {cpu!r}: pass its results folder as '{cpu}=FOLDER'")
        print("recorded", save_cpu_reference(REF, sets[cpu][0], cpu, sets[cpu][1][0]))

if __name__ == "__main__": main()
