"""FID Inception feature extraction: today's path (torch-fidelity's network as loaded, fp32) against the fast paths
(BatchNorm folded into the convs, channels_last, the resize and stem run 10 images at a time: in fp32, under bf16
autocast, with oneDNN's bf16 convolution math behind fp32 activations, and in fp32 with freed memory returned to the
OS), side by side.

Each variant runs in its own process on the same real Imagenette images (val + train, ADM centre crop at --res through
`vfmvae.data.reference_images`); best-of-N img/s, peak RSS, and the FID between the val and train halves from that
variant's features, against the fp32 reference path's FID. Prints the load average. Run it under the heavy lock:

    flock /tmp/vfmvae/heavy.lock .venv/bin/python benchmarks/fid_features.py
"""
import argparse, json, os, resource, subprocess, sys, tempfile, time
from pathlib import Path

VARIANTS = {"main": dict(fast=False, precision="fp32"),      # the path before this change
            "fold_cl_fp32": dict(fast=True, precision="fp32"),
            "fold_cl_bf16": dict(fast=True, precision="bf16"),
            "fold_cl_bf32": dict(fast=True, precision="fp32", onednn_fp32_math="bf16"),   # oneDNN bf16 conv math, fp32 activations
            "fold_cl_fp32_no_keep": dict(fast=True, precision="fp32", keep_freed_memory=False)}   # freed memory returned to the OS

def images(n, res):
    import torch
    from vfmvae.data import DataConfig, reference_images
    cfg = DataConfig()
    return torch.cat([reference_images(cfg, res, n=n // 2, split="val").images, reference_images(cfg, res, n=n - n // 2, split="train").images])

def worker(variant, n, res, repeats, batch, threads, out):
    import numpy as np, torch
    torch.set_num_threads(threads)
    from vfmvae.assets import inception_extractor, inception_features
    x = images(n, res); kw = VARIANTS[variant]
    if "onednn_fp32_math" in kw: torch.backends.mkldnn.conv.fp32_precision = kw["onednn_fp32_math"]
    t0 = time.time(); ext = inception_extractor(fast=kw["fast"], keep_freed_memory=kw.get("keep_freed_memory", True)); t_build = time.time() - t0
    inception_features(x[:batch], batch_size=batch, extractor=ext, precision=kw["precision"])          # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.time(); f = inception_features(x, batch_size=batch, extractor=ext, precision=kw["precision"]); times.append(time.time() - t0)
    np.save(out, f)
    return {"variant": variant, **kw, "n": len(x), "batch": batch, "threads": threads, "seconds": [round(t, 2) for t in times],
            "img_per_s": round(len(x) / min(times), 3), "build_s": round(t_build, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200); ap.add_argument("--res", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=2); ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--threads", type=int, default=2); ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "data/results/fid_features.json"))
    ap.add_argument("--worker", default=None); ap.add_argument("--feat", default=None)
    a = ap.parse_args()
    if a.worker:
        print(json.dumps(worker(a.worker, a.n, a.res, a.repeats, a.batch, a.threads, a.feat))); return
    import numpy as np
    from vfmvae.eval_recon import fid_from_features
    from vfmvae.core import cpu_info, git_revision
    images(a.n, a.res)                                   # decode (and cache) the images once, outside the timings
    load = [os.getloadavg()]; rows = {}
    with tempfile.TemporaryDirectory() as d:
        for v in a.variants.split(","):
            feat = f"{d}/{v}.npy"
            r = subprocess.run([sys.executable, __file__, "--worker", v, "--feat", feat, "--n", str(a.n), "--res", str(a.res),
                                "--repeats", str(a.repeats), "--batch", str(a.batch), "--threads", str(a.threads)],
                               capture_output=True, text=True)
            if r.returncode: sys.exit(f"variant {v} failed:\n{r.stderr[-3000:]}")
            rows[v] = json.loads(r.stdout.strip().splitlines()[-1]); load.append(os.getloadavg())
            f = np.load(feat); h = a.n // 2
            rows[v]["fid_val_vs_train"] = fid_from_features(f[:h], f[h:])
            rows[v]["max_abs_feature_diff_vs_main"] = None
            if v != "main" and "main" in rows: rows[v]["max_abs_feature_diff_vs_main"] = float(np.abs(f - np.load(f"{d}/main.npy")).max())
    ref = rows.get("main")
    print(f"FID Inception features, {a.n} real Imagenette images at {a.res}px (upsampled to 299), batch {a.batch}, {a.threads} threads, best of {a.repeats}")
    print(f"{'variant':14s} {'img/s':>7s} {'ratio':>6s} {'FID':>10s} {'ΔFID %':>8s} {'max|Δf|':>9s} {'peak RSS MB':>11s}")
    for v, r in rows.items():
        ratio = r["img_per_s"] / ref["img_per_s"] if ref else float("nan")
        dfid = (r["fid_val_vs_train"] - ref["fid_val_vs_train"]) / ref["fid_val_vs_train"] * 100 if ref else float("nan")
        r["ratio_vs_main"], r["dfid_percent_vs_main"] = round(ratio, 3), dfid
        mf = r["max_abs_feature_diff_vs_main"]
        print(f"{v:14s} {r['img_per_s']:7.2f} {ratio:6.2f} {r['fid_val_vs_train']:10.4f} {dfid:+8.4f} {mf if mf is not None else float('nan'):9.2e} {r['peak_rss_mb']:11.1f}")
    print("load average (1, 5, 15 min) before / after each variant:", [tuple(round(x, 2) for x in l) for l in load])
    res = {"n": a.n, "res": a.res, "batch": a.batch, "threads": a.threads, "repeats": a.repeats, "load_average": load,
           "cpu": cpu_info(), "git": git_revision(Path(__file__).parent), "variants": rows,
           "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True); Path(a.out).write_text(json.dumps(res, indent=1))
    print("wrote", a.out)

if __name__ == "__main__": main()
