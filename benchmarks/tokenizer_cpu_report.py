"""Report of the CPU tokenizer reproduction (`make repro-tokenizer`): training curves, reconstruction grids and a
summary of the rFID/PSNR/SSIM JSONs written by `vfmvae-eval-recon`.

    python benchmarks/tokenizer_cpu_report.py

Writes figures/tokenizer_cpu_curves.png, figures/tokenizer_cpu_recon_grid.png, data/results/tokenizer_cpu_summary.json
and copies each run's metrics.jsonl to data/results/tokenizer_cpu_<name>_metrics.jsonl.
"""
import json, shutil
from pathlib import Path
from vfmvae.eval_recon import plot_runs, compose_grids, summarize

R, O, F = Path("runs/tokenizer"), Path("data/results"), Path("figures")
RUNS = {"vfmvae": ("VFM-VAE (frozen Lite2)", "cpu_vfmvae_lite2_64"),
        "klvae": ("KL-VAE (SD-VAE style)", "cpu_klvae_lite2_64"),
        "vavae": ("VA-VAE style (VF-aligned conv encoder)", "cpu_vavae_lite2_64")}
present = {k: v for k, v in RUNS.items() if (R/v[1]/"metrics.jsonl").is_file()}
plot_runs({label: str(R/d) for label, d in present.values()}, F/"tokenizer_cpu_curves.png")
for k, (_, d) in present.items(): shutil.copy(R/d/"metrics.jsonl", O/f"tokenizer_cpu_{k}_metrics.jsonl")
grids = {"VFM-VAE step 0 (init)": F/"tokenizer_cpu_vfmvae_grid_init.png",
         **{f"{label} (EMA)": F/f"tokenizer_cpu_{k}_grid_final.png" for k, (label, _) in RUNS.items()}}
compose_grids({t: str(p) for t, p in grids.items() if p.is_file()}, F/"tokenizer_cpu_recon_grid.png",
              "Imagenette val, 64 px, posterior mean, EMA weights")
results = {"vfmvae_init": O/"tokenizer_cpu_vfmvae_init.json", **{f"{k}_final": O/f"tokenizer_cpu_{k}_final.json" for k in RUNS}}
print(json.dumps(summarize({k: str(p) for k, p in results.items() if p.is_file()}, O/"tokenizer_cpu_summary.json"), indent=1))
