"""SSIM border conventions (issue 11 item 20): `valid` (windows inside the image) vs `reflect` (reflect-padded image,
torchmetrics >= 1.4.2) on N evenly spaced real Imagenette val images at 64 px, ADM centre crop, against 8-bit
reconstructions by antialiased bilinear down-sampling by 2x / 4x and bilinear up-sampling back (a stand-in tokenizer).
Writes data/results/ssim_border_conventions.json.  A few seconds on the CPU:

    .venv/bin/python benchmarks/ssim_border_conventions.py [--n 64]
"""
import argparse, json, os
from pathlib import Path

import torch, torch.nn.functional as F
from PIL import Image

from vfmvae.data import center_crop_adm
from vfmvae.eval_recon import to_pm1, to_u8
from vfmvae.losses import ssim

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("VFMVAE_DATA", "/work/shared/data")) / "imagenette" / "val"

if __name__ == "__main__":
    ap = argparse.ArgumentParser(); ap.add_argument("--n", type=int, default=64); ap.add_argument("--res", type=int, default=64)
    a = ap.parse_args()
    files = sorted(p for p in DATA.glob("*/*") if p.is_file()); files = files[::max(1, len(files) // a.n)][:a.n]
    x = to_pm1(torch.stack([center_crop_adm(Image.open(f).convert("RGB"), a.res) for f in files]))
    res = {"n": len(x), "resolution": a.res, "source": f"{DATA} evenly spaced, ADM centre crop"}
    for f in (2, 4):
        y = to_pm1(to_u8(F.interpolate(F.interpolate(x, scale_factor=1 / f, mode="bilinear", antialias=True), size=a.res, mode="bilinear")))
        v, r = (ssim(y, x, reduction="none", border=b) for b in ("valid", "reflect"))
        d = v - r
        res[f"down_up_{f}x"] = {"ssim_valid": float(v.mean()), "ssim_reflect": float(r.mean()), "mean_valid_minus_reflect": float(d.mean()),
                               "mean_abs_diff": float(d.abs().mean()), "max_abs_diff": float(d.abs().max())}
    res["load_average"] = os.getloadavg()
    out = ROOT / "data" / "results" / "ssim_border_conventions.json"; out.write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))
