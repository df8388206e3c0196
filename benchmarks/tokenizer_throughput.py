"""Tokenizer throughput on CPU: encode and decode images/s and peak memory for the offline VFM-VAE preset.

Throughput is the best of >= 3 timed iterations (the CPU is shared, so the median is reported too, with the
CPU seconds per image and the load average, which make contention visible).
Each (resolution, operation, precision) measurement runs in a fresh subprocess so that the peak resident memory
(`ru_maxrss`) belongs to that measurement alone; we report the peak *above* the resident size after the model and the
input batch were built (activations + workspace), and the absolute peak.

Reference comparison: the decoder in fp32 vs under CPU bf16 autocast (the reference runs its high-resolution blocks in
reduced precision on GPU; on CPU bf16 is only a win with AMX/AVX512-BF16 hardware).

Run (heavy: ~2-4 min on 2 cores):
    flock /tmp/vfmvae-heavy.lock .venv/bin/python benchmarks/tokenizer_throughput.py
"""
import json, os, resource, subprocess, sys, time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]


def _rss_mb() -> float:
    "Current resident set size in MB (Linux /proc)."
    with open("/proc/self/statm") as f: return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(preset: str, res: int, op: str, precision: str, batch: int, min_time: float, threads: int) -> dict:
    "One measurement in this process: build, warm up, time `op` until `min_time` seconds have passed."
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    from vfmvae.model import VFMVAE, model_config
    model = VFMVAE(model_config(preset, [f"resolution={res}"])).eval()
    x = torch.rand(batch, 3, res, res) * 2 - 1
    with torch.no_grad(): z = model.encode(x).mean
    ctx = (lambda: torch.autocast("cpu", dtype=torch.bfloat16)) if precision == "bf16" else torch.no_grad
    fn = (lambda: model.encode(x).mean) if op == "encode" else (lambda: model.decode(z)[0])
    base_rss = _rss_mb()                                            # model + input resident
    with torch.no_grad(), ctx(): fn()                               # warm-up (oneDNN primitive creation)
    its, cpus, t0 = [], [], time.perf_counter()
    load0 = os.getloadavg()[0]
    while True:
        r0, c0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
        with torch.no_grad(), ctx(): fn()
        c1 = resource.getrusage(resource.RUSAGE_SELF)
        its.append(time.perf_counter() - r0)
        cpus.append(c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime)
        if time.perf_counter() - t0 >= min_time and len(its) >= 3: break
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    its_sorted = sorted(its)
    return dict(preset=preset, res=res, op=op, precision=precision, batch=batch, iters=len(its),
                img_per_s=batch / its_sorted[0], img_per_s_median=batch / its_sorted[len(its) // 2],
                cpu_s_per_img=min(cpus) / batch, peak_rss_mb=peak, peak_above_model_mb=max(0.0, peak - base_rss),
                loadavg=(load0, os.getloadavg()[0]))


def run(preset="lite2-128", resolutions=(64, 128, 256), batches=(16, 8, 4), min_time=4.0, threads=2, out=None):
    rows = []
    for res, b in zip(resolutions, batches):
        for op, prec in [("encode", "fp32"), ("decode", "fp32"), ("decode", "bf16")]:
            cmd = [sys.executable, __file__, "--child", preset, str(res), op, prec, str(b), str(min_time), str(threads)]
            r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
            if r.returncode: raise RuntimeError(r.stderr[-2000:])
            rows.append(json.loads(r.stdout.strip().splitlines()[-1]))
            x = rows[-1]
            print(f"{preset:10s} {res:4d}px {op:6s} {prec:4s} batch {b:3d}: {x['img_per_s']:7.2f} img/s best "
                  f"({x['img_per_s_median']:6.2f} median, {x['cpu_s_per_img']:.3f} CPU-s/img)  peak RSS "
                  f"{x['peak_rss_mb']:6.0f} MB (+{x['peak_above_model_mb']:.0f} MB over model+input)  "
                  f"load {x['loadavg'][0]:.1f}", flush=True)
    print("\nratios (decode bf16 autocast / fp32 throughput):")
    for res in resolutions:
        f = next(r for r in rows if r["res"] == res and r["op"] == "decode" and r["precision"] == "fp32")
        h = next(r for r in rows if r["res"] == res and r["op"] == "decode" and r["precision"] == "bf16")
        e = next(r for r in rows if r["res"] == res and r["op"] == "encode")
        print(f"  {res:4d}px: bf16/fp32 = {h['img_per_s'] / f['img_per_s']:.2f}x;  encode/decode(fp32) = "
              f"{e['img_per_s'] / f['img_per_s']:.2f}x")
    import torch
    meta = dict(torch=torch.__version__, threads=threads, cpu=os.cpu_count(), preset=preset,
                time=time.strftime("%Y-%m-%dT%H:%M:%S"))
    out = Path(out or ROOT / "data/results/tokenizer_throughput.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(meta=meta, rows=rows), indent=1))
    print(f"wrote {out}")
    return rows


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        p, res, op, prec, b, mt, th = sys.argv[2:9]
        print(json.dumps(child(p, int(res), op, prec, int(b), float(mt), int(th))))
    else:
        import argparse
        ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        ap.add_argument("--preset", default="lite2-128")
        ap.add_argument("--min-time", type=float, default=4.0)
        ap.add_argument("--threads", type=int, default=2)
        ap.add_argument("--out", default=None)
        a = ap.parse_args()
        run(a.preset, min_time=a.min_time, threads=a.threads, out=a.out)
