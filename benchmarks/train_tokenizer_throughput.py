"""Tokenizer training throughput at the CPU preset: today's main vs this tree, side by side, and loss curves over the same images.

Usage (heavy: run under the shared lock, each mode < 10 min):
  OMP_WAIT_POLICY=PASSIVE flock /tmp/vfmvae/heavy.lock .venv/bin/python benchmarks/train_tokenizer_throughput.py speed
  OMP_WAIT_POLICY=PASSIVE flock /tmp/vfmvae/heavy.lock .venv/bin/python benchmarks/train_tokenizer_throughput.py curves

`speed`: img/s of one training step (batch 16, fp32, `configs/tokenizer/cpu_vfmvae_lite2_64.yaml`) for
  base        the code of --base-ref (default: main when this work started), the preset as it is;
  ours        this tree, the preset as it is (random crops, every step encodes);
  ours+cache  this tree, the preset with a fixed crop (data.in_memory, min_crop = max_crop = 1) and the frozen-VFM
              feature cache (built or loaded before timing: setup_s; the first build of 512 images took seconds).
Each variant runs in its own process (clean peak RSS), best of --repeat timings of --steps steps after --warmup steps.
`ceiling`: base, ours+cache, and ours+cache/decoder: only the adapter + decoder forward and backward of an L1 loss on
  the same cached batches (the part whose function issue 10 fixes). base s/step / decoder s/step is the most any
  removal of the other work (VFM, perceptual, discriminator, optimizer, EMA, data) could give at today's kernels.
`curves`: --curve-steps steps of base and ours+cache on the SAME images (ADM centre crops, no flip, same order, same
seed), plus base with another seed (the run-to-run noise), plus ours+cache with the adaptive VF weight every step
(how closely the reused weight tracks it); loss curves plotted to figures/tokenizer_speed_loss_curves.png.
"""
import argparse, json, os, resource, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRESET = "configs/tokenizer/cpu_vfmvae_lite2_64.yaml"

def base_tree(ref: str) -> str:
    "Today's main as importable code: `git archive <ref> vfmvae` into a temp dir (the working tree is not touched)."
    d = Path(tempfile.gettempdir()) / f"vfmvae-base-{ref}"
    if not (d / "vfmvae" / "__init__.py").is_file():
        d.mkdir(parents=True, exist_ok=True)
        subprocess.run(f"git -C {ROOT} archive {ref} vfmvae | tar -x -C {d}", shell=True, check=True)
    return str(d)

def keys_file(n: int) -> str:
    "The first benchmark images: `n` evenly spaced Imagenette training keys (the same for every variant)."
    p = Path(tempfile.gettempdir()) / f"vfmvae-bench-keys-{n}.txt"
    if not p.is_file():
        from vfmvae.assets import dataset_dir
        from vfmvae.data import ImageFolderSource
        import numpy as np
        src = ImageFolderSource(dataset_dir("imagenette", "train"))
        p.write_text("\n".join(src.key(int(i)) for i in np.linspace(0, len(src) - 1, n).round()))
    return str(p)

def make_cfg(variant: str, keys: str, run_dir: str, extra: list):
    import yaml
    from vfmvae.core import load_config
    from vfmvae.train_tokenizer import TokenizerTrainConfig
    from vfmvae.assets import dataset_dir
    d = yaml.safe_load(open(ROOT / PRESET))
    if variant != "base": d.pop("max_minutes", None)               # budgets are images now (issue 13)
    d["data"] = dict(d["data"], path=str(dataset_dir("imagenette", "train")), keys_file=keys)
    if variant == "ours+cache": d["data"] |= {"in_memory": True, "min_crop": 1.0, "max_crop": 1.0}; d["feature_cache"] = True
    ov = [f"run_dir={run_dir}", "progress=false"] + extra
    return load_config(TokenizerTrainConfig, d, ov)

def batches(tr, n, cached):
    it = tr.stream.iter_info() if cached else iter(tr.stream)
    out = []
    for _ in range(n):
        b = next(it); out.append((b[0], b[2]) if cached else (b[0], None))
    return out

def child(a):
    "One variant in this process: --_variant NAME, code from --_code."
    sys.path.insert(0, a._code)
    import torch
    torch.set_num_threads(a.threads)
    import vfmvae
    assert vfmvae.__file__.startswith(a._code), vfmvae.__file__
    from vfmvae.train_tokenizer import TokenizerTrainer
    extra = json.loads(a._extra)
    cached = a._variant.startswith("ours+cache")
    cfg = make_cfg(a._variant.split("/")[0], a._keys, tempfile.mkdtemp(), extra)
    load0 = os.getloadavg()[0]
    t = time.perf_counter(); tr = TokenizerTrainer(cfg); t_build = time.perf_counter() - t
    step = (lambda x, i: tr.step(x, i)) if cached else (lambda x, i: tr.step(x))
    if a._variant.endswith("/decoder"): step = decoder_step(tr)
    res = {"variant": a._variant, "code": a._code, "overrides": extra, "batch_size": cfg.batch_size, "threads": a.threads,
           "setup_s": round(t_build, 1)}
    if a.mode != "curves":
        bs = batches(tr, a.warmup + a.steps * a.repeat, cached)
        for x, i in bs[:a.warmup]: step(x, i)
        times = []
        for r in range(a.repeat):
            t = time.perf_counter()
            for x, i in bs[a.warmup + r * a.steps: a.warmup + (r + 1) * a.steps]: step(x, i)
            times.append((time.perf_counter() - t) / a.steps)
        res |= {"s_per_step_best": min(times), "s_per_step_all": times, "img_per_s": cfg.batch_size / min(times)}
    else:
        bs = batches(tr, a.curve_steps, cached)
        logs = []
        for x, i in bs:
            logs.append({k: float(v) for k, v in step(x, i).items()})
        res |= {"logs": logs, "first_batch_sum": int(bs[0][0].sum()), "last_batch_sum": int(bs[-1][0].sum())}
    res |= {"peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "load_avg_1min": [round(load0, 2), round(os.getloadavg()[0], 2)]}
    print("RESULT " + json.dumps(res))

def decoder_step(tr):
    "Adapter + decoder forward and backward of an L1 loss on a cached batch, gradients dropped: no VFM, losses, D or optimizer."
    from vfmvae.train_tokenizer import to_pm1
    def step(x, info):
        f = tr.cached_features(info, 1)[0]
        recon, _ = tr.model.decode(tr.model.adapter(f).sample())
        (recon - to_pm1(x)).abs().mean().backward()
        for p in tr.g_params: p.grad = None
    return step

def run_variant(a, variant, code, extra=()):
    env = dict(os.environ); env.setdefault("OMP_WAIT_POLICY", "PASSIVE"); env.setdefault("HF_HUB_OFFLINE", "1")
    env["PYTHONPATH"] = code
    cmd = [sys.executable, __file__, a.mode, "--steps", str(a.steps), "--warmup", str(a.warmup), "--repeat", str(a.repeat),
           "--threads", str(a.threads), "--curve-steps", str(a.curve_steps), "--_variant", variant, "--_code", code,
           "--_keys", a._keys, "--_extra", json.dumps(list(extra))]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=code)
    line = [l for l in out.stdout.splitlines() if l.startswith("RESULT ")]
    if not line: sys.exit(f"{variant} failed:\n{out.stderr[-4000:]}")
    r = json.loads(line[0][7:])
    msg = f"{variant:22s}" + (f" {r['img_per_s']:6.2f} img/s ({r['s_per_step_best']:.2f} s/step best of {a.repeat})" if a.mode != "curves" else f" {len(r['logs'])} steps")
    print(f"{msg}, setup {r['setup_s']:.0f} s, peak RSS {r['peak_rss_mb']:.0f} MB, load {r['load_avg_1min']}", flush=True)
    return r

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["speed", "ceiling", "curves"])
    ap.add_argument("--base-ref", default="ca2aeb4"); ap.add_argument("--images", type=int, default=512)
    ap.add_argument("--steps", type=int, default=4); ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3); ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--curve-steps", type=int, default=40)
    ap.add_argument("--out", default=None)
    for k in ("_variant", "_code", "_keys", "_extra"): ap.add_argument(f"--{k}", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a._variant: return child(a)
    sys.path.insert(0, str(ROOT))
    a._keys = keys_file(a.images)
    base, ours = base_tree(a.base_ref), str(ROOT)
    print(f"base = {a.base_ref} ({base}), ours = {ours}; {a.images} Imagenette images; threads {a.threads}; load {os.getloadavg()}")
    from vfmvae.core import cpu_info
    out = {"mode": a.mode, "cpu": cpu_info(), "preset": PRESET, "base_ref": a.base_ref, "images": a.images, "threads": a.threads,
           "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "PASSIVE (set for the children)"), "load_avg_start": os.getloadavg()}
    if a.mode == "speed":
        rs = [run_variant(a, "base", base), run_variant(a, "ours", ours)]
        rs.append(run_variant(a, "ours+cache", ours))
        for r in rs[1:]: r["speedup_vs_base"] = r["img_per_s"] / rs[0]["img_per_s"]; print(f"{r['variant']}: {r['speedup_vs_base']:.2f}x base")
        out["results"] = rs
        plot_speed(rs, ROOT / "figures" / "tokenizer_speed_throughput.png")
    elif a.mode == "ceiling":
        rs = [run_variant(a, "base", base), run_variant(a, "ours+cache", ours), run_variant(a, "ours+cache/decoder", ours)]
        b, o, d = (r["s_per_step_best"] for r in rs)
        out["results"] = rs
        out["summary"] = {"ours_vs_base": b / o, "ceiling_vs_base": b / d, "decoder_share_of_ours": d / o}
        print(f"ours+cache {b / o:.2f}x base; adapter+decoder alone {d:.2f} s/step = {d / o:.0%} of ours: "
              f"ceiling {b / d:.2f}x base if everything else cost nothing")
    else:
        same = ["data.augment=false"]
        rs = {"base": run_variant(a, "base", base, same), "base seed 1": run_variant(a, "base", base, same + ["seed=1"]),
              "ours+cache": run_variant(a, "ours+cache", ours, same),
              "ours+cache w_VF every step": run_variant(a, "ours+cache", ours, same + ["loss.vf_adaptive_every=1"])}
        b, o = rs["base"], rs["ours+cache"]
        assert (b["first_batch_sum"], b["last_batch_sum"]) == (o["first_batch_sum"], o["last_batch_sum"]), "not the same images"
        out["results"] = rs
        out["summary"] = summarise(rs); print(json.dumps(out["summary"], indent=1))
        plot(rs, ROOT / "figures" / "tokenizer_speed_loss_curves.png")
    out["load_avg_end"] = os.getloadavg()
    path = Path(a.out or ROOT / "data" / "results" / f"tokenizer_train_{ {'speed': 'throughput', 'ceiling': 'ceiling', 'curves': 'throughput_curves'}[a.mode]}.json")
    path.write_text(json.dumps(out, indent=1)); print("wrote", path)

def summarise(rs):
    import numpy as np
    s = {}
    last = lambda r, k: float(np.mean([l[k] for l in r["logs"][-10:] if k in l]))
    first = lambda r, k: float(np.mean([l[k] for l in r["logs"][:5] if k in l]))
    for k in ("l1", "rec", "loss_g"):
        s[k] = {name: {"first5": first(r, k), "last10": last(r, k)} for name, r in rs.items()}
        s[k]["|ours - base| last10"] = abs(last(rs["ours+cache"], k) - last(rs["base"], k))
        s[k]["|base seed1 - base| last10 (noise)"] = abs(last(rs["base seed 1"], k) - last(rs["base"], k))
    w1 = np.array([l["w_vf"] for l in rs["ours+cache w_VF every step"]["logs"]])
    stale = {f"lag {k}": float(np.median(np.abs(w1[k:] - w1[:-k]) / w1[:-k])) for k in (1, 2, 3)}
    s["w_vf every-step: median relative change over k steps"] = stale
    return s

def plot_speed(rs, png):
    import matplotlib; matplotlib.use("Agg"); import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    names, v = [r["variant"] for r in rs], [r["img_per_s"] for r in rs]
    ax.bar(names, v, color=["#888", "#4a7", "#27a"][:len(v)])
    for i, (x, r) in enumerate(zip(v, rs)): ax.text(i, x, f"{x:.1f} img/s\n{x / v[0]:.2f}x, {r['peak_rss_mb'] / 1024:.1f} GB", ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("training img/s (batch 16, fp32)"); ax.set_ylim(0, max(v) * 1.35)
    ax.set_title(f"cpu_vfmvae_lite2_64, 2 threads, load {rs[0]['load_avg_1min'][0]}-{rs[-1]['load_avg_1min'][1]}", fontsize=9)
    fig.tight_layout(); fig.savefig(png, dpi=110); print("wrote", png)

def plot(rs, png):
    import matplotlib; matplotlib.use("Agg"); import matplotlib.pyplot as plt
    fig, axs = plt.subplots(1, 3, figsize=(13, 3.6))
    for ax, k in zip(axs, ("l1", "rec", "w_vf")):
        for name, r in rs.items():
            xs = [(i + 1) * r["batch_size"] for i, l in enumerate(r["logs"]) if k in l]
            ax.plot(xs, [l[k] for l in r["logs"] if k in l], label=name, lw=1.2)
        ax.set_title(k); ax.set_xlabel("images"); ax.grid(alpha=.3)
    axs[0].legend(fontsize=7); fig.suptitle("cpu_vfmvae_lite2_64, same images (centre crops, same order): today's main vs this tree", fontsize=9)
    fig.tight_layout(); fig.savefig(png, dpi=110); print("wrote", png)

if __name__ == "__main__": main()
