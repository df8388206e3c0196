"""Tiny CPU latent-diffusion run: train the tiny LightningDiT preset for a time budget, then compare the gFID of
EMA samples at the start (ckpt-0) and at the end on the same number of samples, against Imagenette-val.

    flock /tmp/vfmvae-heavy.lock python benchmarks/diffusion_tiny_run.py --minutes 15 --n 500 --ref-n 1000

Needs the latent cache (`vfmvae-cache-latents runs/latents/imagenette64 --tokenizer pca --size 64`).
Writes data/results/diffusion_tiny_run.json and figures/diffusion_tiny_run.png.
"""
import argparse, json, os, time
from pathlib import Path

import numpy as np
import torch

from vfmvae.core import load_config, config_to_dict
from vfmvae.runs import list_checkpoints
from vfmvae.train_diffusion import DiffusionConfig, train
from vfmvae.eval_gen import InceptionFeatures, evaluate_run

p = argparse.ArgumentParser()
p.add_argument('--config', default='configs/diffusion/tiny_lightningdit_cpu.yaml')
p.add_argument('--run', default='runs/diffusion/tiny_lightningdit_cpu')
p.add_argument('--minutes', type=float, default=15)
p.add_argument('--n', type=int, default=500)
p.add_argument('--ref-n', type=int, default=1000)
p.add_argument('--threads', type=int, default=2)
p.add_argument('--set', nargs='*', default=[])
p.add_argument('--finish-by', default=None, help='HH:MM (local): shorten training so that the evaluation ends in time')
p.add_argument('--eval-minutes', type=float, default=12, help='time reserved for sampling + metrics (with --finish-by)')
p.add_argument('--floor', action='store_true', help='also the tokenizer floor: FID of tokenizer reconstructions')
a = p.parse_args()
torch.set_num_threads(a.threads)
if a.finish_by:
    hh, mm = map(int, a.finish_by.split(':')); now = time.localtime()
    left = (hh * 60 + mm) - (now.tm_hour * 60 + now.tm_min) - a.eval_minutes - (2 if a.floor else 0)
    if left < a.minutes: print(f'--finish-by {a.finish_by}: training shortened to {max(left, 3):.1f} min', flush=True)
    a.minutes = min(a.minutes, max(3.0, left))

cfg = load_config(DiffusionConfig, a.config, a.set)
t0 = time.time()
res = train(cfg, a.run, max_seconds=a.minutes * 60, progress=False)
t_train = time.time() - t0
print('train', res, f'{t_train:.0f}s', flush=True)

inc = InceptionFeatures()
cks = list_checkpoints(Path(a.run) / 'checkpoints')
start = evaluate_run(a.run, a.n, a.ref_n, checkpoint=cks[0], inc=inc, tag='start')
print('start', {k: start[k] for k in ('gfid', 'sfid', 'kid', 'precision', 'recall')}, flush=True)
end = evaluate_run(a.run, a.n, a.ref_n, checkpoint=cks[-1], inc=inc, tag='end')
print('end', {k: end[k] for k in ('gfid', 'sfid', 'kid', 'precision', 'recall')}, flush=True)

floor = None
if a.floor:
    from vfmvae.eval_gen import imagenette_reference
    from vfmvae.eval_recon import feature_stats, fid_from_stats, to_u8
    from vfmvae.latents import cached_tokenizer, image_folder
    from vfmvae.assets import dataset_dir
    ntok = cached_tokenizer(cfg.cache)
    ds = image_folder(dataset_dir('imagenette', 'val'), 64, a.n, seed=1)
    x = torch.stack([ds[i][0] for i in range(len(ds))])
    with torch.no_grad(): rec = to_u8(ntok.decode(ntok.encode(x)))
    ref = imagenette_reference('val', 64, a.ref_n, inc=inc)
    fr, fx = inc(rec)['pool'], None
    floor = fid_from_stats(*feature_stats(fr), ref['mu'], ref['sigma'])
    print('tokenizer floor (FID of reconstructions)', floor, flush=True)

logs = [json.loads(l) for l in (Path(a.run) / 'metrics.jsonl').read_text().splitlines() if l.strip()]
out = {'config': a.config, 'overrides': a.set, 'run': a.run, 'train': res, 'train_seconds': t_train,
       'tokenizer': json.loads((Path(cfg.cache) / 'meta.json').read_text())['tokenizer'],
       'latent_shape': [cfg.model.in_ch, cfg.model.grid, cfg.model.grid],
       'loss_first': logs[0]['loss'], 'loss_last': logs[-1]['loss'],
       'loss_v_curve': [(r['kimg'], r['loss_v']) for r in logs],
       'img_per_s_median': float(np.median([r['img_per_s'] for r in logs])),
       'start': start, 'end': end, 'tokenizer_recon_fid': floor, 'n_samples': a.n, 'n_ref': a.ref_n,
       'threads': a.threads, 'date': time.strftime('%Y-%m-%dT%H:%M:%S')}
Path('data/results').mkdir(parents=True, exist_ok=True)
Path('data/results/diffusion_tiny_run.json').write_text(json.dumps(out, indent=1))

import matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt
fig, ax = plt.subplots(1, 4, figsize=(17, 3.8), gridspec_kw={'width_ratios': [1.3, 0.8, 1, 1]})
k = [r['kimg'] for r in logs]
ax[0].plot(k, [r['loss_v'] for r in logs], label='velocity loss (+cos)')
ax[0].set_xlabel('kimg'); ax[0].set_ylabel('loss'); ax[0].set_title('training loss'); ax[0].legend()
ax[1].bar(['start\n(ckpt 0)', f"end\n({end['kimg']:.0f} kimg)"], [start['gfid'], end['gfid']], color=['grey', 'C0'])
ax[1].set_title(f"gFID-{a.n} vs Imagenette-val ({a.ref_n})")
if floor is not None: ax[1].axhline(floor, ls='--', c='k', lw=1, label=f'tokenizer recon FID {floor:.1f}'); ax[1].legend(fontsize=8)
for i, v in enumerate([start['gfid'], end['gfid']]): ax[1].text(i, v, f'{v:.1f}', ha='center', va='bottom')
for j, (tag, ev) in enumerate([('start', start), ('end', end)]):
    imgs = np.load(Path(a.run) / 'eval' / f"{ev['checkpoint']}-{tag}.npz")['arr_0'][:32]
    imgs = imgs[:len(imgs) // 8 * 8]; rows = len(imgs) // 8
    grid = imgs.reshape(rows, 8, *imgs.shape[1:]).transpose(0, 2, 1, 3, 4).reshape(rows * imgs.shape[1], 8 * imgs.shape[2], 3)
    ax[2 + j].imshow(grid); ax[2 + j].axis('off'); ax[2 + j].set_title(f'EMA samples, {tag}')
fig.suptitle(f"Tiny LightningDiT on 8×8×32 latents of 64-px Imagenette ({out['tokenizer']} tokenizer), "
             f"{t_train/60:.0f} min on {a.threads} CPU threads")
fig.tight_layout()
Path('figures').mkdir(exist_ok=True)
fig.savefig('figures/diffusion_tiny_run.png', dpi=110)
print(json.dumps({k: out[k] for k in ('loss_first', 'loss_last', 'img_per_s_median')}),
      'gFID start', start['gfid'], 'end', end['gfid'])
