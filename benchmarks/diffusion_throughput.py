"""Diffusion training throughput on the CPU: the tiny preset's full training step, and a LightningDiT-B/1
forward+backward at batch 8 on the paper's 16×16×32 latent, each against a reference variant:
fp32 vs bf16 autocast, and fused SDPA attention vs a naive softmax(QKᵀ)V.

    flock /tmp/vfmvae/heavy.lock .venv/bin/python benchmarks/diffusion_throughput.py

Each configuration runs in its own process (peak memory = that process's max RSS). Writes
data/results/diffusion_throughput.json.
"""
import argparse, json, os, resource, subprocess, sys, time
from pathlib import Path

CASES = {
    'tiny_fp32':        dict(kind='tiny', precision='fp32', attn='sdpa', batch=64),
    'tiny_bf16':        dict(kind='tiny', precision='bf16', attn='sdpa', batch=64),
    'B1_fp32_sdpa':     dict(kind='B', precision='fp32', attn='sdpa', batch=8),
    'B1_bf16_sdpa':     dict(kind='B', precision='bf16', attn='sdpa', batch=8),
    'B1_fp32_naive':    dict(kind='B', precision='fp32', attn='naive', batch=8),
}

def one(name, threads, min_time):
    import torch
    torch.set_num_threads(threads)
    from vfmvae.core import load_config, autocast
    from vfmvae.dit import DiT, lightningdit_config
    from vfmvae.train_diffusion import DiffusionConfig, draw_noise, diffusion_loss
    c = CASES[name]
    if c['kind'] == 'tiny':
        cfg = load_config(DiffusionConfig, 'configs/diffusion/tiny_lightningdit_cpu.yaml', [f"model.attn={c['attn']}"])
    else:
        cfg = load_config(DiffusionConfig, 'configs/diffusion/vfmvae_lightningdit_xl1_64ep.yaml')
        cfg.model = lightningdit_config('B', attn=c['attn'])
    model = DiT(cfg.model).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.95))
    g = torch.Generator().manual_seed(0)
    B, m = c['batch'], cfg.model
    batch = {'z': torch.randn(B, m.in_ch, m.grid, m.grid, generator=g), 'y': torch.randint(0, m.num_classes, (B,), generator=g)}
    def step():
        b = draw_noise(batch, cfg, m.num_classes, g)
        with autocast('cpu', c['precision']):
            loss = diffusion_loss(model, b, cfg)['loss']
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
    step()                                                       # warm-up
    times = []
    t_all = time.time()
    while len(times) < 2 or (time.time() - t_all < min_time and len(times) < 50):
        t = time.perf_counter(); step(); times.append(time.perf_counter() - t)
    import statistics
    s = statistics.median(times)
    return {'case': name, **c, 'params_M': sum(p.numel() for p in model.parameters()) / 1e6, 'tokens': (m.grid // m.patch) ** 2,
            's_per_step': s, 'img_per_s': B / s, 'steps_timed': len(times), 'threads': threads,
            'peak_rss_MiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--one', default=None); ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--min-time', type=float, default=20); ap.add_argument('--cases', nargs='*', default=list(CASES))
    a = ap.parse_args()
    if a.one:
        print('RESULT ' + json.dumps(one(a.one, a.threads, a.min_time))); sys.exit()
    res = []
    for name in a.cases:
        out = subprocess.run([sys.executable, __file__, '--one', name, '--threads', str(a.threads), '--min-time', str(a.min_time)],
                             capture_output=True, text=True)
        line = [l for l in out.stdout.splitlines() if l.startswith('RESULT ')]
        if not line: print(name, 'FAILED', out.stderr[-2000:]); continue
        r = json.loads(line[0][7:]); res.append(r)
        print(f"{name:16s} {r['params_M']:7.1f}M  batch {r['batch']:3d}  {r['s_per_step']:7.3f} s/step  "
              f"{r['img_per_s']:8.1f} img/s  peak RSS {r['peak_rss_MiB']:7.0f} MiB", flush=True)
    by = {r['case']: r for r in res}
    ratios = {}
    for a_, b_, what in [('tiny_bf16', 'tiny_fp32', 'tiny: bf16 autocast vs fp32'), ('B1_bf16_sdpa', 'B1_fp32_sdpa', 'B/1: bf16 autocast vs fp32'),
                         ('B1_fp32_sdpa', 'B1_fp32_naive', 'B/1: SDPA vs naive attention (fp32)')]:
        if a_ in by and b_ in by:
            ratios[what] = by[a_]['img_per_s'] / by[b_]['img_per_s']; print(f"{what}: {ratios[what]:.2f}x")
    Path('data/results').mkdir(parents=True, exist_ok=True)
    import platform, torch
    Path('data/results/diffusion_throughput.json').write_text(json.dumps(
        {'results': res, 'speedups': ratios, 'torch': torch.__version__, 'machine': platform.processor() or platform.machine(),
         'note': 'forward+backward+AdamW step on random latents; median step time after one warm-up step',
         'date': time.strftime('%Y-%m-%dT%H:%M:%S')}, indent=1))
