"""What an f16d32 code can give back at 64 px, and where a trained tokenizer's error lies (the PSNR plateau probe).

    .venv/bin/python benchmarks/recon_ceiling.py [--run runs/repro/tokenizer/vfmvae ...] [--linear-steps 1500]

Prints, on Imagenette val at 64 px (the chain's protocol; 256 images):
- PCA of 16×16 patches with 32 components (the f16d32 shape, 512 numbers per image), fitted on 2,000 train images;
- a *linear* patch autoencoder (768 → 32 → 768) trained with L1 for `--linear-steps` steps of batch 16, Adam lr 2e-3,
  β1 ∈ {0, 0.9} (the CPU presets use β1 = 0): what the chain's image budget buys the simplest learner;
- with `--deep-steps N`: the KL-VAE baseline (trainable conv encoder + VFM-VAE's decoder, preset lite2-64) trained
  the same way with L1 only (β1 0 at lr 2e-3, β1 0.9 at lr 1e-3), val PSNR of its raw weights every N/4 steps: the
  same learner as the chain's baseline without its other losses;
- for each `--run` (a tokenizer run folder, EMA weights of its newest checkpoint): PSNR, and per band s ∈ {4, 8, 16, 32}
  the PSNR of its s×s area-downsampled reconstruction against the image's (error inside the band) next to the s×s
  thumbnail's PSNR (energy above the band).
The measured output, with the recipe probes it motivated, is in data/results/tokenizer_plateau_probe.json.
"""
import argparse, json, os, time
import torch, torch.nn as nn, torch.nn.functional as F
from vfmvae.eval_recon import psnr
from vfmvae.latents import image_folder, tokenizer_from_spec

def load(split: str, n: int) -> torch.Tensor:
    "`n` evenly spaced Imagenette images of `split` at 64 px in [−1, 1] (the project's image pipeline); unreadable ones dropped."
    ims = image_folder(os.path.join(os.environ.get("VFMVAE_DATA", "../shared/data"), "imagenette", split), size=64, limit=n)
    return torch.stack([item[0] for item in (ims[i] for i in range(len(ims))) if item is not None])

def patches(x, f=16): return F.pixel_unshuffle(x, f).permute(0, 2, 3, 1).reshape(-1, 3 * f * f)
def unpatch(p, n, f=16): h = 64 // f; return F.pixel_shuffle(p.reshape(n, h, h, -1).permute(0, 3, 1, 2), f)
def band(t, s): return F.interpolate(F.interpolate(t, size=s, mode="area"), size=t.shape[-1], mode="bicubic", align_corners=False).clamp(-1, 1)

def pca_psnr(tr, va, d=32):
    p = patches(tr); mu = p.mean(0); B = torch.linalg.svd(p - mu, full_matrices=False)[2][:d]
    return float(psnr(unpatch((patches(va) - mu) @ B.T @ B + mu, len(va)).clamp(-1, 1), va))

class LinearAE(nn.Module):
    "768 → 32 → 768 per 16×16 patch: the f16d32 shape with nothing but two matrices."
    def __init__(self, d=32): super().__init__(); self.e, self.d = nn.Linear(768, d), nn.Linear(d, 768)
    def forward(self, x): return unpatch(self.d(self.e(patches(x))), len(x))

def train_l1(model, fwd, tr, va, steps, beta1, lr, evals=1):
    "L1-only Adam on random train images (batch 16, flips): val PSNR {images seen: dB} at `evals` points."
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr, betas=(beta1, 0.99))
    g, out = torch.Generator().manual_seed(0), {}
    for step in range(1, steps + 1):
        x = tr[torch.randint(len(tr), (16,), generator=g)]
        x = torch.where(torch.rand(16, 1, 1, 1, generator=g) < 0.5, x.flip(-1), x)
        loss = (fwd(x) - x).abs().mean(); opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
        if step % (steps // evals) == 0:
            model.eval()
            with torch.no_grad(): out[step * 16] = float(psnr(torch.cat([fwd(va[i:i + 64]) for i in range(0, len(va), 64)]).clamp(-1, 1), va))
            model.train(); print(f"  {type(model).__name__} β1={beta1} lr={lr}: {step * 16} images, val PSNR {out[step * 16]:.2f}", flush=True)
    return out

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run", action="append", default=[]); ap.add_argument("--linear-steps", type=int, default=1500)
    ap.add_argument("--deep-steps", type=int, default=0)
    a = ap.parse_args(); torch.set_num_threads(2); t0 = time.time()
    tr, va = load("train", 2000), load("val", 256)
    out = {"n_val": len(va), "pca_f16d32": pca_psnr(tr, va),
           "linear_ae_l1": {},
           "linear_steps": a.linear_steps, "thumbnail": {s: float(psnr(band(va, s), va)) for s in (4, 8, 16, 32)}, "runs": {}}
    for b in (0.0, 0.9):
        torch.manual_seed(0); m = LinearAE()
        out["linear_ae_l1"][f"beta1={b}"] = train_l1(m, m, tr, va, a.linear_steps, b, 2e-3)[a.linear_steps * 16]
    if a.deep_steps:
        from vfmvae.baselines import BaselineVAE, baseline_config
        out["deep_klvae_l1"] = {}
        for b, lr in ((0.0, 2e-3), (0.9, 1e-3)):
            torch.manual_seed(0); m = BaselineVAE(baseline_config("klvae", "lite2-64"))
            out["deep_klvae_l1"][f"beta1={b},lr={lr}"] = train_l1(m, lambda x: m(x).recon, tr, va, a.deep_steps, b, lr, evals=4)
    for run in a.run:
        tok = tokenizer_from_spec(f"vfmvae:{run}")
        with torch.no_grad(): r = torch.cat([tok(va[i:i + 64]).recon for i in range(0, len(va), 64)]).clamp(-1, 1)
        out["runs"][run] = {"psnr": float(psnr(r, va)),
                            "band_error_psnr": {s: float(psnr(band(r, s), band(va, s))) for s in (4, 8, 16, 32)}}
    out["wall_s"], out["load_avg_end"] = round(time.time() - t0, 1), os.getloadavg()
    print(json.dumps(out, indent=1))

if __name__ == "__main__": main()
