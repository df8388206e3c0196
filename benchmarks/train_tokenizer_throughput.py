"""Training throughput (img/s) and peak memory of the tokenizer CPU preset, fp32 vs bf16 autocast side by side.

Usage (heavy: run under the shared lock):
  OMP_WAIT_POLICY=PASSIVE flock /tmp/vfmvae-heavy.lock .venv/bin/python benchmarks/train_tokenizer_throughput.py \
      [--config configs/tokenizer/cpu_vfmvae_lite2_64.yaml] [--steps 8] [--warmup 2] [--threads 2] [--out data/results/x.json]
Each precision runs in its own process, so the peak resident memory (ru_maxrss) of each is clean.
"""
import argparse, json, os, resource, subprocess, sys, tempfile, time

def one(config, precision, steps, warmup, threads):
    import torch
    torch.set_num_threads(threads)
    from vfmvae.core import load_config
    from vfmvae.train_tokenizer import TokenizerTrainConfig, TokenizerTrainer
    run = tempfile.mkdtemp()
    cfg = load_config(TokenizerTrainConfig, config, [f"precision={precision}", f"run_dir={run}", "progress=false"])
    tr = TokenizerTrainer(cfg)
    it = iter(tr.stream)
    batches = [next(it)[0] for _ in range(steps + warmup)]
    for x in batches[:warmup]: tr.step(x)
    t = time.perf_counter()
    for x in batches[warmup:]: tr.step(x)
    dt = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"precision": precision, "img_per_s": steps * cfg.batch_size / dt, "s_per_step": dt / steps,
            "batch_size": cfg.batch_size, "steps": steps, "peak_rss_mb": round(peak_mb, 1), "threads": threads}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="configs/tokenizer/cpu_vfmvae_lite2_64.yaml")
    ap.add_argument("--steps", type=int, default=8); ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--precisions", default="fp32,bf16"); ap.add_argument("--out", default=None)
    ap.add_argument("--_one", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a._one:
        print("RESULT " + json.dumps(one(a.config, a._one, a.steps, a.warmup, a.threads))); return
    env = dict(os.environ); env.setdefault("OMP_WAIT_POLICY", "PASSIVE"); env.setdefault("HF_HUB_OFFLINE", "1")
    res = []
    for p in a.precisions.split(","):
        out = subprocess.run([sys.executable, __file__, "--config", a.config, "--steps", str(a.steps), "--warmup", str(a.warmup),
                              "--threads", str(a.threads), "--_one", p], capture_output=True, text=True, env=env)
        line = [l for l in out.stdout.splitlines() if l.startswith("RESULT ")]
        if not line: sys.exit(f"{p} run failed:\n{out.stderr[-3000:]}")
        r = json.loads(line[0][7:]); res.append(r)
        print(f"{p:5s}: {r['img_per_s']:7.2f} img/s  ({r['s_per_step']:.2f} s/step at batch {r['batch_size']}), peak RSS {r['peak_rss_mb']:.0f} MB")
    if len(res) == 2: print(f"{res[1]['precision']}/{res[0]['precision']} throughput ratio: {res[1]['img_per_s'] / res[0]['img_per_s']:.2f}x")
    summary = {"config": a.config, "threads": a.threads, "omp_wait_policy": env["OMP_WAIT_POLICY"], "results": res,
               "load_avg_1min_at_end": os.getloadavg()[0]}
    if a.out:
        os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True); open(a.out, "w").write(json.dumps(summary, indent=1))

if __name__ == "__main__": main()
