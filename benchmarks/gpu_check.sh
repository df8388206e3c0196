#!/usr/bin/env bash
# One GPU check (issue 10, GPU section): <= 8 minutes on one H200. Prints one line per figure, "GPU_CHECK <what>: ...".
#
#   bash benchmarks/gpu_check.sh              # on the GPU machine, from the repository root
#   bash benchmarks/gpu_check.sh --dry-run    # the same Python parts at tiny sizes on the CPU (tested there)
#
# Parts (each under its own time limit, so one failure cannot eat the budget):
#   1. the `#| gpu` notebook cells (nbdev_test --flags gpu on every notebook that has such a cell);
#   2. paper-scale tokenizer stage-0 steps: the stage-0 preset with SigLIP2-L/16-512 at random weights (no weights
#      can be fetched there), random-init discriminator backbone, bf16; img/s and peak memory;
#   3. LightningDiT-XL/1 and SiT-XL/1 + REG bf16 train steps (the paper presets' models and losses): img/s, peak
#      memory, model-FLOP utilisation (FLOPs of one step counted by torch.utils.flop_counter; peak = $PEAK_TFLOPS,
#      default 989 = H200/H100 SXM dense bf16);
#   4. 250-step sampling of 64 images with each 64-epoch preset's sampler (LightningDiT: ODE, 250 grid points, shift
#      0.3, CFG 6 on the first 3 channels; REG: SDE, 250 evaluations, CFG 2 for t <= 0.8), bf16 autocast: img/s.
# Time limits per part: 120 + 120 + 120 + 110 s = 470 s at most (8 minutes).
# --dry-run: CPU, the same presets' optimiser/loss/sampler settings with the tiny CPU models, 5 sampling steps.
# Environment: PYTHON (default .venv/bin/python if present, else python3), DIT_BATCH (64), TOK_BATCH (16),
# TOK_STEPS (3), DIT_STEPS (4), PEAK_TFLOPS (989).
set -uo pipefail
cd "$(dirname "$0")/.."
DRY=0; [[ "${1:-}" == "--dry-run" ]] && DRY=1
PY="${PYTHON:-}"; [[ -z "$PY" ]] && { [[ -x .venv/bin/python ]] && PY=.venv/bin/python || PY=python3; }
export DRY HF_HUB_OFFLINE=1 OMP_WAIT_POLICY=PASSIVE PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
T0=$(date +%s)
part() {  # part NAME SECONDS COMMAND... : run with a time limit, report failures in one line
  local name=$1 limit=$2; shift 2
  local t=$(date +%s)
  timeout "$limit" "$@"; local rc=$?
  echo "GPU_CHECK part ${name}: rc ${rc}, $(( $(date +%s) - t )) s"
}
echo "GPU_CHECK start: $(date -u +%FT%TZ) dry_run=${DRY} python=${PY} git=$(git rev-parse --short HEAD 2>/dev/null || echo none)"
"$PY" - <<'EOF'
import torch
print(f"GPU_CHECK device: {torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'cpu'}, torch {torch.__version__}, "
      f"cuda {torch.version.cuda}")
EOF

# ---- 1. the #| gpu notebook cells -------------------------------------------------------------------------------
if [[ $DRY == 1 ]]; then
  echo "GPU_CHECK gpu_cells: skipped in --dry-run (notebooks with #| gpu: $(grep -l '#| gpu' nbs/*.ipynb | tr '\n' ' '))"
else
  NBT="$(dirname "$PY")/nbdev_test"; [[ -x "$NBT" ]] || NBT=nbdev_test
  for nb in $(grep -l '#| gpu' nbs/*.ipynb); do
    part "gpu_cells $(basename "$nb")" 120 env VFMVAE_DATA="${VFMVAE_DATA:-$PWD/shared/data}" "$NBT" --path "$nb" --flags gpu --n_workers 0
  done
fi

# ---- 2. paper-scale tokenizer stage-0 steps -------------------------------------------------------------------------
part tokenizer_stage0 120 "$PY" - <<'EOF'
import os, tempfile, time, torch, numpy as np
from PIL import Image
from vfmvae.core import load_config
from vfmvae.train_tokenizer import TokenizerTrainConfig, TokenizerTrainer
dry = os.environ['DRY'] == '1'
B, steps = (4, 2) if dry else (int(os.environ.get('TOK_BATCH', 16)), int(os.environ.get('TOK_STEPS', 3)))
res = 64 if dry else 256
with tempfile.TemporaryDirectory() as d:
    os.makedirs(f"{d}/img/c0")
    rng = np.random.default_rng(0)
    for i in range(max(B, 8)):          # a few random images: the trainer needs a data source; steps get random batches
        Image.fromarray(rng.integers(0, 256, (res, res, 3), dtype=np.uint8)).save(f"{d}/img/c0/{i}.png")
    common = [f"run_dir={d}/run", f"batch_size={B}", "data.source=imagefolder", f"data.path={d}/img", f"data.val_path={d}/img", "data.keys_file=''",
              "data.num_workers=0", "disc.pretrained=false", "progress=false"]
    if dry:   # the same preset and code path with a CPU-size model: random Lite0 'VFM' at 32 px
        cfg = load_config(TokenizerTrainConfig, 'configs/tokenizer/stage0_strong_alignment.yaml', common + [
            "model.preset=lite0-64", 'model.overrides=["encoder.pretrained=false"]', f"data.resolution={res}",
            "disc.backbone=effnet-lite0", f"disc.input_size={res}", "disc.out_indices=[2,3]", "loss.perceptual_kind=effnet-lite"])
        what = "dry run (Lite0 random, 64 px)"
    else:
        cfg = load_config(TokenizerTrainConfig, 'configs/tokenizer/stage0_strong_alignment.yaml', common + [
            'model.overrides=["encoder.pretrained=false"]', "loss.perceptual_kind=auto"])
        what = "stage 0, SigLIP2-L/16-512 random weights, bf16"
    tr = TokenizerTrainer(cfg)
    dev = tr.device
    x = torch.randint(0, 256, (B, 3, res, res), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    tr.step(x)                                                 # warm-up (allocations, cuDNN autotune)
    if dev.type == 'cuda': torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
    t = time.perf_counter()
    for _ in range(steps): tr.step(x)
    if dev.type == 'cuda': torch.cuda.synchronize()
    dt = (time.perf_counter() - t) / steps
    mem = torch.cuda.max_memory_allocated() / 2**30 if dev.type == 'cuda' else float('nan')
    print(f"GPU_CHECK tokenizer_stage0: {what}, batch {B} at {res} px, {tr.n_trainable/1e6:.1f}M trainable, "
          f"{B/dt:.2f} img/s ({dt:.3f} s/step over {steps}), peak {mem:.1f} GiB, perceptual {cfg.loss.perceptual_kind}")
EOF

# ---- 3. DiT train steps (bf16) ----------------------------------------------------------------------------------------
part dit_train 120 "$PY" - <<'EOF'
import os, time, torch
from torch.utils.flop_counter import FlopCounterMode
from vfmvae.core import load_config, autocast
from vfmvae.dit import DiT, count_params
from vfmvae.train_diffusion import DiffusionConfig, draw_noise, diffusion_loss
import sys; sys.path.insert(0, 'benchmarks'); from gpu_presets import dry, dev, preset, presets   # one preset table for both parts
peak = float(os.environ.get('PEAK_TFLOPS', 989)) * 1e12
B, steps = (4, 2) if dry else (int(os.environ.get('DIT_BATCH', 64)), int(os.environ.get('DIT_STEPS', 4)))
for name, path in presets.items():
    cfg = preset(*path); m = cfg.model
    model = DiT(m).to(dev).train()
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.optim.lr, betas=tuple(cfg.optim.betas))
    g = torch.Generator().manual_seed(0)
    batch = {'z': torch.randn(B, m.in_ch, m.grid, m.grid, generator=g), 'y': torch.randint(0, m.num_classes, (B,), generator=g)}
    if m.cls_dim: batch['cls'] = torch.randn(B, m.cls_dim, generator=g)
    if m.proj_dim: batch['feat'] = torch.randn(B, m.tokens, m.proj_dim, generator=g)
    def step():
        b = {k: v.to(dev) for k, v in draw_noise(batch, cfg, m.num_classes, g).items()}
        with autocast(dev, 'bf16'):
            loss = diffusion_loss(model, b, cfg)['loss']
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
    step()                                                       # warm-up
    with FlopCounterMode(display=False) as fc: step()
    flops = fc.get_total_flops()
    if dev == 'cuda': torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
    t = time.perf_counter()
    for _ in range(steps): step()
    if dev == 'cuda': torch.cuda.synchronize()
    dt = (time.perf_counter() - t) / steps
    mem = torch.cuda.max_memory_allocated() / 2**30 if dev == 'cuda' else float('nan')
    print(f"GPU_CHECK dit_train {name}: {count_params(m):,} params, bf16 batch {B}, {B/dt:.1f} img/s ({dt*1e3:.0f} ms/step), "
          f"peak {mem:.1f} GiB, {flops/B/1e9:.1f} GFLOP/img, MFU {flops/dt/peak*100:.1f}% of {peak/1e12:.0f} TFLOPS")
    del model, opt
    if dev == 'cuda': torch.cuda.empty_cache()
EOF

# ---- 4. 250-step sampling of 64 images ----------------------------------------------------------------------------------
part sampling 110 "$PY" - <<'EOF'
import os, time, torch
from vfmvae.core import load_config, autocast
from vfmvae.dit import DiT
from vfmvae.train_diffusion import DiffusionConfig
from vfmvae.transport import model_velocity, euler_ode, euler_maruyama
import sys; sys.path.insert(0, 'benchmarks'); from gpu_presets import dry, dev, preset, presets   # one preset table for both parts
n, steps = (4, 5) if dry else (64, 250)
for name, path in presets.items():
    cfg = preset(*path); m, s = cfg.model, cfg.sample
    model = DiT(m).to(dev).eval()
    for p in model.parameters(): torch.nn.init.normal_(p, std=0.02)   # random weights: a non-trivial field, same cost
    g = torch.Generator(device=dev).manual_seed(0)
    states = [torch.randn(n, m.in_ch, m.grid, m.grid, device=dev, generator=g)]
    if m.cls_dim: states.append(torch.randn(n, m.cls_dim, device=dev, generator=g))
    y = torch.randint(0, m.num_classes, (n,), device=dev, generator=g)
    fn = model_velocity(model, y, scale=s.cfg_scale, interval=tuple(s.interval), channels=s.cfg_channels)
    run = lambda k: (euler_ode(fn, states, k, s.shift) if s.sampler == 'ode' else euler_maruyama(fn, states, k, s.shift, generator=g))
    with autocast(dev, 'bf16'):
        run(3)                                                   # warm-up
        if dev == 'cuda': torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
        t = time.perf_counter(); out = run(steps)
        if dev == 'cuda': torch.cuda.synchronize()
    dt = time.perf_counter() - t
    mem = torch.cuda.max_memory_allocated() / 2**30 if dev == 'cuda' else float('nan')
    ok = all(torch.isfinite(o).all().item() for o in out)
    print(f"GPU_CHECK sampling {name}: {n} images, {s.sampler} {steps} steps, CFG {s.cfg_scale} (channels {s.cfg_channels or 'all'}), "
          f"bf16: {n/dt:.2f} img/s ({dt:.1f} s), peak {mem:.1f} GiB, finite {ok}")
    del model
    if dev == 'cuda': torch.cuda.empty_cache()
EOF
# ---- 6. the mini reproduction at its quick budget (devices picked automatically) -------------------------------------
if [[ $DRY == 1 ]]; then
  echo "GPU_CHECK repro-quick: skipped in --dry-run (make repro-quick runs it on the CPU in <= 15 min)"
else
  part "repro-quick" 240 env VFMVAE_RUNS=/tmp/gpu-check-runs VFMVAE_DATA="${VFMVAE_DATA:-$PWD/shared/data}" \
    "$(dirname "$PY")/vfmvae-repro" configs/repro/quick.yaml "reference=''"
fi
echo "GPU_CHECK done: $(( $(date +%s) - T0 )) s total"
