"""Tiny CPU latent-diffusion run with an image budget: build (or reuse) the latent cache, train the tiny LightningDiT
preset for `--total` images with EMA snapshots at `--points` log-spaced image counts, and score every snapshot's gFID
on the same number of samples against Imagenette-val; the tokenizer's reconstruction FID is the floor.

    flock /tmp/vfmvae/heavy.lock .venv/bin/python benchmarks/diffusion_tiny_run.py --stage train --total 25.6k
    flock /tmp/vfmvae/heavy.lock .venv/bin/python benchmarks/diffusion_tiny_run.py --stage eval --total 25.6k --n 500

Every stage is resumable and idempotent (a finished cache, run or evaluated point is reused), so the two stages can
run as separate short jobs or as one (`--stage all`). Writes data/results/diffusion_tiny_run.json and
figures/diffusion_tiny_run.png.
"""
import argparse, json, os, resource, time
from pathlib import Path

import numpy as np
import torch

from vfmvae.core import git_revision, load_config, parse_images
from vfmvae.latents import cache_latents, cached_tokenizer
from vfmvae.train_diffusion import DiffusionConfig, train_diffusion
from vfmvae.eval_gen import InceptionFeatures, evaluate_snapshots, imagenette_reference

p = argparse.ArgumentParser()
p.add_argument('--config', default='configs/diffusion/tiny_lightningdit_cpu.yaml')
p.add_argument('--run', default='runs/diffusion/tiny_lightningdit_cpu')
p.add_argument('--cache', default='runs/latents/imagenette64')
p.add_argument('--tokenizer', default='pca', help="'pca' or 'vfmvae:<tokenizer run folder>'")
p.add_argument('--total', default='25.6k', help='training budget in images')
p.add_argument('--points', type=int, default=4, help='log-spaced gFID points ending at the budget')
p.add_argument('--n', type=int, default=500, help='samples per gFID point')
p.add_argument('--ref-n', type=int, default=1000)
p.add_argument('--threads', type=int, default=2)
p.add_argument('--set', nargs='*', default=[])
p.add_argument('--stage', choices=['all', 'train', 'eval'], default='all')
a = p.parse_args()
torch.set_num_threads(a.threads)
peak_rss_mb = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

cfg0 = load_config(DiffusionConfig, a.config, a.set)
total, batch = parse_images(a.total), cfg0.batch
pts = sorted({max(batch, round(total / 2 ** i / batch) * batch) for i in range(a.points)})
if pts[-1] != total: raise SystemExit(f"--total {total} is not a multiple of the batch {batch}")
overrides = [f'cache={a.cache}', f'total={total}', f"snapshots=[{','.join(map(str, pts))}]"] + a.set

if a.stage in ('all', 'train'):
    t0 = time.time()
    cache = cache_latents(a.cache, a.tokenizer, size=64, progress=False)
    print('cache', cache, f'{time.time() - t0:.0f}s', flush=True)
    t0 = time.time(); res = train_diffusion(a.config, overrides, run=a.run); t_train = time.time() - t0
    (Path(a.run) / 'benchmark_train.json').write_text(json.dumps({'train': res, 'seconds': t_train, 'cache': cache,
                                                                  'load_avg': os.getloadavg(), 'peak_rss_mb': peak_rss_mb()}))
if a.stage == 'train': raise SystemExit(0)

tr = json.loads((Path(a.run) / 'benchmark_train.json').read_text())
inc = InceptionFeatures()
t0 = time.time(); curve = evaluate_snapshots(a.run, a.n, a.ref_n, inc=inc, npz=True); t_eval = time.time() - t0
for c in curve: print(f"{c['images']:>7} images: gFID-{c['n']} {c['gfid']:.1f}  sFID {c['sfid']:.1f}  KID {c['kid']:.3f}", flush=True)

# the floor: FID of the tokenizer's reconstructions of n val images (same reference set)
from vfmvae.data import DataConfig, reference_images
from vfmvae.eval_recon import fid_to_stats, to_u8, to_pm1
cfg = load_config(DiffusionConfig, Path(a.run) / 'config.yaml')
ntok = cached_tokenizer(cfg.cache, cfg.sample_posterior)
x = reference_images(DataConfig(), 64, a.n, 'train').images          # train images: what the diffusion model learns
with torch.no_grad(): rec = torch.cat([to_u8(ntok.decode(ntok.encode(to_pm1(x[i:i + 100])))) for i in range(0, len(x), 100)])
ref = imagenette_reference('val', 64, a.ref_n, inc=inc)
floor = fid_to_stats(inc(rec)["pool"], ref["mu"], ref["sigma"])
print('tokenizer floor (FID of reconstructions)', round(floor, 1), flush=True)

logs = [json.loads(l) for l in (Path(a.run) / 'metrics.jsonl').read_text().splitlines() if l.strip()]
out = {'config': a.config, 'overrides': overrides, 'run': a.run, 'commit': git_revision(), 'seed': cfg.seed,
       'budget_images': total, 'batch': batch, 'train': tr['train'], 'train_seconds': tr['seconds'],
       'train_load_avg': tr['load_avg'], 'cache': tr['cache'],
       'tokenizer': json.loads((Path(cfg.cache) / 'meta.json').read_text())['tokenizer'],
       'latent_shape': [cfg.model.in_ch, cfg.model.grid, cfg.model.grid],
       'loss_first': logs[0]['loss'], 'loss_last': logs[-1]['loss'], 'loss_v_curve': [(r['kimg'], r['loss_v']) for r in logs],
       'img_per_s_median': float(np.median([r['img_per_s'] for r in logs])),
       'gfid_curve': [{k: c[k] for k in ('images', 'gfid', 'sfid', 'kid', 'precision', 'recall', 'n', 'n_ref')} for c in curve],
       'tokenizer_recon_fid': floor, 'tokenizer_recon_fid_images': f'{len(x)} evenly spaced train images, ADM crop',
       'n_samples': a.n, 'n_ref': a.ref_n, 'sample': curve[-1]['sample'], 'eval_seconds': t_eval,
       'threads': a.threads, 'load_avg_end': os.getloadavg(), 'peak_rss_mb_eval': peak_rss_mb(),
       'date': time.strftime('%Y-%m-%dT%H:%M:%S')}
Path('data/results').mkdir(parents=True, exist_ok=True)
Path('data/results/diffusion_tiny_run.json').write_text(json.dumps(out, indent=1))

import matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt
fig, ax = plt.subplots(1, 3, figsize=(15, 3.8), gridspec_kw={'width_ratios': [1.2, 1.2, 1]})
ax[0].plot([r['kimg'] for r in logs], [r['loss_v'] for r in logs]); ax[0].set_xlabel('kimg'); ax[0].set_title('training loss (velocity + cos)')
xs = [max(c['images'], batch / 2) for c in curve]
ax[1].plot(xs, [c['gfid'] for c in curve], 'o-', label=f"gFID-{a.n} (EMA)"); ax[1].set_xscale('log')
ax[1].axhline(floor, ls='--', c='k', lw=1, label=f'tokenizer recon FID {floor:.1f}')
ax[1].set_xlabel('training images (log; 0 drawn at batch/2)'); ax[1].set_title(f'gFID vs Imagenette-val ({a.ref_n})'); ax[1].legend(fontsize=8)
imgs = np.load(Path(a.run) / 'eval' / f"{curve[-1]['checkpoint']}-snapshot.npz")['arr_0'][:32]
rows = len(imgs) // 8; imgs = imgs[:rows * 8]
ax[2].imshow(imgs.reshape(rows, 8, *imgs.shape[1:]).transpose(0, 2, 1, 3, 4).reshape(rows * imgs.shape[1], 8 * imgs.shape[2], 3))
ax[2].axis('off'); ax[2].set_title(f"EMA samples at {curve[-1]['images']:,} images")
fig.suptitle(f"Tiny LightningDiT on 8×8×32 latents of 64-px Imagenette ({out['tokenizer']} tokenizer), budget {total:,} images, "
             f"{tr['seconds'] / 60:.0f} min on {a.threads} CPU threads")
fig.tight_layout(); Path('figures').mkdir(exist_ok=True); fig.savefig('figures/diffusion_tiny_run.png', dpi=110)
print(json.dumps({k: out[k] for k in ('loss_first', 'loss_last', 'img_per_s_median', 'tokenizer_recon_fid')}),
      'gFID', [round(c['gfid'], 1) for c in curve])
