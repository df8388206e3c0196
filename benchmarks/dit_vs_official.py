"""LightningDiT train step: ours vs the official hustvl/LightningDiT model code vs the main this work started from,
at the same small configs on the CPU; plus the Euler-ODE sampler's img/s (ours vs that main) for the tiny and B/1
models, with and without classifier-free guidance (one batched cond+uncond forward).

    flock /tmp/vfmvae/heavy.lock .venv/bin/python benchmarks/dit_vs_official.py --part train
    flock /tmp/vfmvae/heavy.lock .venv/bin/python benchmarks/dit_vs_official.py --part sample
    .venv/bin/python benchmarks/dit_vs_official.py --part equiv     # seconds: official weights -> ours, forwards compared

The official code is never copied into this tree: `--official-git` names a git directory of hustvl/LightningDiT
(a mirror, e.g. fetched by the session's tooling); its `models/` folder is unpacked into a temporary directory at run
time and imported from there, with `TORCHDYNAMO_DISABLE=1` (its `@torch.compile` decorators become no-ops, so both
run eager), einops from `--official-deps` (a pip --target folder) and an import stub for fairscale (imported by its
rmsnorm.py, unused by RMSNorm). "main" is `git show <rev>:vfmvae/dit.py` / `transport.py` unpacked the same way.

Every variant runs in its own process; rounds interleave the variants; the figure is the best (minimum) step time over
all rounds (best-of-N), with the median too, in wall-clock and in process CPU time (one thread: the CPU time is
the compute the step needed, the wall time adds whatever the machine's other load took; both ratios are saved). Each process reports its peak RSS; the load average is printed and saved.
`--part equiv` converts the official models' random weights with `vfmvae.dit_checkpoints.convert_official_dit` and
compares the forward passes (LightningDiT; the paper's REG fork of SiT, `--reg-git`/`--reg-path` in tianciB/VFM-VAE:
velocity, class-token velocity and projection).
Writes data/results/dit_train_vs_official.json, dit_sampler.json and dit_equiv_official.json.
"""
import argparse, json, os, resource, statistics, subprocess, sys, tempfile, time, types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE_REV = 'ca2aeb4'    # main when this work started (before the issue-11 DiT/transport changes)
TRAIN = {   # name: (depth, width, heads, grid, classes, batch)
    'tiny':  (4, 192, 3, 8, 10, 64),     # the tiny CPU preset's model (configs/diffusion/tiny_lightningdit_cpu.yaml)
    'small': (6, 256, 4, 16, 1000, 16),  # 256 tokens, as on the paper's 16x16 latent
}
SAMPLE = {  # name: (depth, width, heads, grid, classes, batch, nfe)
    'tiny': (4, 192, 3, 8, 10, 64, 10),
    'B1':   (12, 768, 12, 16, 1000, 8, 2),
}

def _unpack(git_dir, rev, paths, dest):
    "Unpack `paths` of `rev` from a git directory into `dest` (outside our tree)."
    arch = subprocess.run(['git', f'--git-dir={git_dir}', 'archive', rev, *paths], check=True, capture_output=True).stdout
    subprocess.run(['tar', '-x', '-C', dest], input=arch, check=True)

def build(variant, depth, width, heads, grid, classes, tmp, official_deps):
    "(model, forward(x, t_vfmvae, y) -> vfmvae velocity, transport module or None)."
    import torch
    if variant == 'official':
        sys.path[:0] = [tmp, official_deps]
        fs = types.ModuleType('fairscale'); fsn = types.ModuleType('fairscale.nn'); mp = types.ModuleType('fairscale.nn.model_parallel')
        ini = types.ModuleType('fairscale.nn.model_parallel.initialize'); lay = types.ModuleType('fairscale.nn.model_parallel.layers')
        for n in ('ColumnParallelLinear', 'ParallelEmbedding', 'RowParallelLinear'): setattr(lay, n, None)
        sys.modules.update({'fairscale': fs, 'fairscale.nn': fsn, 'fairscale.nn.model_parallel': mp,
                            'fairscale.nn.model_parallel.initialize': ini, 'fairscale.nn.model_parallel.layers': lay})
        from models.lightningdit import LightningDiT
        m = LightningDiT(input_size=grid, patch_size=1, in_channels=32, hidden_size=width, depth=depth, num_heads=heads,
                         num_classes=classes, class_dropout_prob=0.1, learn_sigma=False, use_qknorm=True, use_swiglu=True,
                         use_rope=True, use_rmsnorm=True, wo_shift=False)
        return m, (lambda x, t, y: -m(x, 1 - t, y)), None       # official time/velocity: tau = 1 - t, dx/dtau = -v
    if variant == 'main':
        sys.path.insert(0, tmp)
        import dit as D, transport as T                          # the old modules import only torch/math
    else:
        sys.path.insert(0, str(ROOT))
        import vfmvae.dit as D, vfmvae.transport as T
    base = dict(depth=depth, width=width, heads=heads, in_ch=32, grid=grid, patch=1, num_classes=classes,
                norm='rms', mlp='swiglu', rope=True, qk_norm=True)
    if 'time_input' in D.DiTConfig.__dataclass_fields__: base['time_input'] = '1-t'
    m = D.DiT(D.DiTConfig(**base))
    return m, (lambda x, t, y: m(x, t, y).v), T

def run_train(variant, name, steps, threads, tmp, official_deps):
    import torch
    torch.set_num_threads(threads)
    d, w, h, g, k, B = TRAIN[name]
    m, fwd, _ = build(variant, d, w, h, g, k, tmp, official_deps)
    m.train()
    n_params = sum(p.numel() for p in m.parameters() if p.requires_grad)
    opt = torch.optim.AdamW([p for p in m.parameters() if p.requires_grad], lr=1e-4, betas=(0.9, 0.95))
    gen = torch.Generator().manual_seed(0)
    x0, eps = torch.randn(B, 32, g, g, generator=gen), torch.randn(B, 32, g, g, generator=gen)
    t, y = torch.rand(B, generator=gen), torch.randint(0, k, (B,), generator=gen)
    xt, v = (1 - t[:, None, None, None]) * x0 + t[:, None, None, None] * eps, eps - x0
    def step():
        loss = (fwd(xt, t, y) - v).pow(2).mean()
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
    for _ in range(2): step()                                    # warm-up
    times, cpu = [], []
    for _ in range(steps):
        t0, c0 = time.perf_counter(), time.process_time(); step()
        times.append(time.perf_counter() - t0); cpu.append(time.process_time() - c0)
    return {'variant': variant, 'config': name, 'batch': B, 'trainable_params': n_params, 'best_s': min(times),
            'median_s': statistics.median(times), 'best_cpu_s': min(cpu), 'steps': steps, 'threads': threads,
            'peak_rss_MiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}

def run_sample(variant, name, cfg, repeats, threads, tmp, official_deps):
    import torch
    torch.set_num_threads(threads)
    d, w, h, g, k, B, nfe = SAMPLE[name]
    m, _, T = build(variant, d, w, h, g, k, tmp, official_deps)
    for p in m.parameters(): torch.nn.init.normal_(p, std=0.02)  # a non-trivial velocity field
    m.eval()
    gen = torch.Generator().manual_seed(0)
    z, y = torch.randn(B, 32, g, g, generator=gen), torch.randint(0, k, (B,), generator=gen)
    fn = T.model_velocity(m, y, scale=4.0 if cfg else 1.0)
    old = 'lightningdit_shift' in dir(T)                         # old euler_ode: `steps` = steps; new: grid points
    grid = nfe if old else nfe + 1
    T.euler_ode(fn, [z], steps=2 if not old else 1)              # warm-up
    times, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time(); T.euler_ode(fn, [z], steps=grid, shift=0.3)
        times.append(time.perf_counter() - t0); cpu.append(time.process_time() - c0)
    best = min(times)
    return {'variant': variant, 'model': name, 'cfg': cfg, 'batch': B, 'nfe': nfe, 'best_s': best, 'best_cpu_s': min(cpu),
            'img_per_s': B / best, 'img_per_cpu_s': B / min(cpu), 's_per_nfe': best / nfe, 'repeats': repeats, 'threads': threads,
            'peak_rss_MiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **rss_split()}

def rss_split():
    "This process's resident memory at the end, anonymous (heap: tensors, allocator) vs file-backed (touched library code)."
    kib = {l.split(':')[0]: int(l.split()[1]) for l in open('/proc/self/status') if l.startswith(('RssAnon:', 'RssFile:'))}
    return {'rss_anon_end_MiB': kib['RssAnon'] / 1024, 'rss_file_end_MiB': kib['RssFile'] / 1024}

def run_equiv(tmp, official_deps):
    "Max |ours - official| of the forward outputs after converting the official models' (random) weights."
    import torch
    torch.manual_seed(0)
    sys.path.insert(0, str(ROOT))
    from vfmvae.dit import DiT
    from vfmvae.dit_checkpoints import convert_official_dit
    res = {}
    ldit, _, _ = build('official', 3, 128, 2, 8, 10, os.path.join(tmp, 'official'), official_deps)
    for p in ldit.parameters():
        if p.requires_grad: torch.nn.init.normal_(p, std=0.05)   # not the fixed pos_embed
    cfg, sd = convert_official_dit(ldit.state_dict(), 'lightningdit')
    ours = DiT(cfg); ours.load_state_dict(sd, strict=True); ldit.eval(); ours.eval()
    x, t, y = torch.randn(4, 32, 8, 8), torch.rand(4), torch.tensor([0, 3, 7, 10])
    with torch.no_grad():
        ref, got = -ldit(x, 1 - t, y), ours(x, t, y).v
    res['lightningdit'] = {'max_abs_diff_v': (ref - got).abs().max().item(), 'ref_abs_max': ref.abs().max().item(),
                           'config': 'depth 3, width 128, 2 heads, 8x8x32, RoPE, SwiGLU, RMSNorm, QK-norm'}
    sys.path.insert(0, os.path.join(tmp, 'reg'))
    for k in [k for k in sys.modules if k == 'models' or k.startswith('models.')]: del sys.modules[k]
    from models.sit import SiT
    reg = SiT(input_size=8, patch_size=1, in_channels=32, hidden_size=128, decoder_hidden_size=128, encoder_depth=2, depth=3,
              num_heads=2, num_classes=10, z_dims=[48], projector_dim=64, cls_token_dim=48, qk_norm=True, fused_attn=True)
    for p in reg.parameters():
        if p.requires_grad: torch.nn.init.normal_(p, std=0.05)
    cfg, sd = convert_official_dit(reg.state_dict(), 'reg', proj_depth=2)
    ours = DiT(cfg); ours.load_state_dict(sd, strict=True); reg.eval(); ours.eval()
    cls = torch.randn(4, 48)
    with torch.no_grad():
        v_ref, zs, c_ref = reg(x, t, y, cls_token=cls)
        o = ours(x, t, y, cls=cls); pr = ours.project(x, t, y, cls)
    res['reg'] = {'max_abs_diff_v': (v_ref - o.v).abs().max().item(), 'max_abs_diff_cls_v': (c_ref - o.cls_v).abs().max().item(),
                  'max_abs_diff_proj': (zs[0] - pr).abs().max().item(), 'ref_abs_max': v_ref.abs().max().item(),
                  'config': 'depth 3, width 128, 2 heads, 8x8x32, QK-norm, class token 48-d, projector 64 from block 2'}
    return res

def sub(args, extra):
    "Run one measurement in a fresh process; return its RESULT dict (or None)."
    env = dict(os.environ, TORCHDYNAMO_DISABLE='1', OMP_WAIT_POLICY='PASSIVE')
    cmd = [sys.executable, __file__, '--tmp', args.tmp, '--official-deps', args.official_deps,
           '--threads', str(args.threads), *extra]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    line = [l for l in out.stdout.splitlines() if l.startswith('RESULT ')]
    if not line: print('FAILED', extra, out.stderr[-3000:], flush=True); return None
    return json.loads(line[0][7:])

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--part', choices=['train', 'sample', 'equiv'], default='train')
    ap.add_argument('--reg-git', default='/work/.mirror/tianciB+VFM-VAE/repo', help="git dir holding the paper's REG fork")
    ap.add_argument('--reg-path', default='tools/preprocess_for_reg/sit.py')
    ap.add_argument('--official-git', default='/work/.mirror/hustvl+LightningDiT/repo')
    ap.add_argument('--official-deps', default='/tmp/vfmvae_official_deps')
    ap.add_argument('--base-rev', default=BASE_REV)
    ap.add_argument('--rounds', type=int, default=3); ap.add_argument('--steps', type=int, default=6)
    ap.add_argument('--repeats', type=int, default=3); ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--configs', nargs='*', default=None)
    ap.add_argument('--out', default=None, help='results file (default data/results/dit_train_vs_official.json or dit_sampler.json)')
    ap.add_argument('--one', nargs='*', default=None, help=argparse.SUPPRESS)
    ap.add_argument('--tmp', default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:                                                    # child process
        kind, variant, name = a.one[:3]
        tmp = os.path.join(a.tmp, variant)
        if kind == 'equiv': print('RESULT ' + json.dumps(run_equiv(a.tmp, a.official_deps))); return
        r = (run_train(variant, name, a.steps, a.threads, tmp, a.official_deps) if kind == 'train' else
             run_sample(variant, name, a.one[3] == 'cfg', a.repeats, a.threads, tmp, a.official_deps))
        print('RESULT ' + json.dumps(r)); return
    with tempfile.TemporaryDirectory(prefix='vfmvae_dit_bench_') as tmp:
        a.tmp = tmp
        for v in ('official', 'main', 'reg'): os.makedirs(os.path.join(tmp, v))
        if a.part in ('train', 'equiv'): _unpack(a.official_git, 'HEAD', ['models'], os.path.join(tmp, 'official'))
        if a.part == 'equiv':
            os.makedirs(os.path.join(tmp, 'reg', 'models'))
            Path(tmp, 'reg', 'models', 'sit.py').write_bytes(subprocess.run(['git', f'--git-dir={a.reg_git}', 'show', f'HEAD:{a.reg_path}'],
                                                                           check=True, capture_output=True).stdout)
            Path(tmp, 'reg', 'models', '__init__.py').touch()
            r = sub(a, ['--one', 'equiv', 'x', 'x'])
            if r is None: sys.exit(1)
            for k, v in (r or {}).items(): print(k, {n: (f"{x:.2e}" if isinstance(x, float) else x) for n, x in v.items()})
            import torch
            (ROOT / 'data/results/dit_equiv_official.json').write_text(json.dumps(
                {'results': r, 'official_lightningdit': subprocess.run(['git', f'--git-dir={a.official_git}', 'rev-parse', 'HEAD'],
                 capture_output=True, text=True).stdout.strip(), 'official_reg': subprocess.run(
                 ['git', f'--git-dir={a.reg_git}', 'rev-parse', 'HEAD'], capture_output=True, text=True).stdout.strip(),
                 'torch': torch.__version__, 'note': 'fp32 eval forward, random official weights (normal std 0.05) converted with '
                 'convert_official_dit; LightningDiT compared as ours(x, t, y).v vs -official(x, 1 - t, y)',
                 'date': time.strftime('%Y-%m-%dT%H:%M:%S')}, indent=1))
            print('wrote data/results/dit_equiv_official.json'); return
        for f in ('dit', 'transport'):
            src = subprocess.run(['git', 'show', f'{a.base_rev}:vfmvae/{f}.py'], cwd=ROOT, check=True, capture_output=True).stdout
            Path(tmp, 'main', f'{f}.py').write_bytes(src)
        res, loads = [], []
        if a.part == 'train':
            variants = ['official', 'main', 'ours']
            for name in a.configs or list(TRAIN):
                for r in range(a.rounds):
                    loads.append(os.getloadavg())
                    for v in variants[r % 3:] + variants[:r % 3]:  # rotate the order across rounds
                        x = sub(a, ['--steps', str(a.steps), '--one', 'train', v, name])
                        if x: x['round'] = r; x['loadavg_1m'] = os.getloadavg()[0]; res.append(x)
                        if x: print(f"{name:6s} round {r} {v:8s} best {x['best_s']:.3f} s/step  median {x['median_s']:.3f}  "
                                    f"cpu {x['best_cpu_s']:.3f} s  params {x['trainable_params']:,}  RSS {x['peak_rss_MiB']:.0f} MiB  load {x['loadavg_1m']:.2f}", flush=True)
            summary = {}
            for name in a.configs or list(TRAIN):
                best = {v: min(x['best_s'] for x in res if x['config'] == name and x['variant'] == v)
                        for v in variants if any(x['config'] == name and x['variant'] == v for x in res)}
                rss = {v: max(x['peak_rss_MiB'] for x in res if x['config'] == name and x['variant'] == v) for v in best}
                B = TRAIN[name][5]
                cpu = {v: min(x['best_cpu_s'] for x in res if x['config'] == name and x['variant'] == v) for v in best}
                s = {'img_per_s': {v: B / b for v, b in best.items()}, 'cpu_s_per_step': cpu, 'peak_rss_MiB': rss}
                for ref in ('official', 'main'):
                    if ref in best and 'ours' in best:
                        s[f'ours_vs_{ref}'] = best[ref] / best['ours']; s[f'ours_vs_{ref}_cpu'] = cpu[ref] / cpu['ours']
                summary[name] = s
                print(f"{name}: " + "  ".join(f"{v} {B / b:.1f} img/s" for v, b in best.items()) +
                      f"  | ours/official {s.get('ours_vs_official', float('nan')):.3f}x wall, {s.get('ours_vs_official_cpu', float('nan')):.3f}x CPU"
                      f"  ours/main {s.get('ours_vs_main', float('nan')):.3f}x wall, {s.get('ours_vs_main_cpu', float('nan')):.3f}x CPU", flush=True)
            out = ROOT / 'data/results/dit_train_vs_official.json'
        else:
            variants = ['main', 'ours']
            for name in a.configs or list(SAMPLE):
                for cfg in ('nocfg', 'cfg'):
                    loads.append(os.getloadavg())
                    for v in variants:
                        x = sub(a, ['--repeats', str(a.repeats), '--one', 'sample', v, name, cfg])
                        if x: x['loadavg_1m'] = os.getloadavg()[0]; res.append(x)
                        if x: print(f"{name:5s} {cfg:5s} {v:5s} {x['img_per_s']:.2f} img/s ({x['img_per_cpu_s']:.2f} per CPU-s) at {x['nfe']} NFE  {x['s_per_nfe']:.3f} s/NFE  "
                                    f"RSS {x['peak_rss_MiB']:.0f} MiB (end: anon {x['rss_anon_end_MiB']:.0f}, file {x['rss_file_end_MiB']:.0f})  "
                                    f"load {x['loadavg_1m']:.2f}", flush=True)
            summary = {}
            for name in a.configs or list(SAMPLE):
                for cfg in (False, True):
                    by = {x['variant']: x for x in res if x['model'] == name and x['cfg'] == cfg}
                    if 'main' in by and 'ours' in by:
                        key = f"{name}_{'cfg' if cfg else 'nocfg'}"
                        summary[f"{key}_ours_vs_main"] = by['ours']['img_per_s'] / by['main']['img_per_s']
                        summary[f"{key}_ours_vs_main_cpu"] = by['ours']['img_per_cpu_s'] / by['main']['img_per_cpu_s']
                        summary[f"{key}_ours_img_per_s"] = by['ours']['img_per_s']
            for k_, v_ in summary.items(): print(f"{k_}: {v_:.3f}" + ("x" if "_vs_" in k_ else " img/s"))
            out = ROOT / 'data/results/dit_sampler.json'
        out = ROOT / a.out if a.out else out
        import platform, torch
        out.write_text(json.dumps({'results': res, 'summary': summary, 'loadavg_at_rounds': loads,
                                   'base_rev': a.base_rev, 'torch': torch.__version__, 'threads': a.threads,
                                   'machine': platform.processor() or platform.machine(), 'cpus': os.cpu_count(),
                                   'note': ('train: forward + MSE on the velocity + backward + AdamW step, fp32, eager (official '
                                            'code with TORCHDYNAMO_DISABLE=1), random latents; best-of-N step time after 2 warm-up steps'
                                            if a.part == 'train' else
                                            'Euler ODE at a fixed NFE on a random-weight model (std 0.02), CFG 4.0 = one batched 2B forward; '
                                            'img/s = batch / wall time of the whole sample at that NFE'),
                                   'date': time.strftime('%Y-%m-%dT%H:%M:%S')}, indent=1))
        print('wrote', out.relative_to(ROOT))

if __name__ == '__main__':
    main()
