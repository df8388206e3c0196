"The diffusion presets gpu_check.sh times: the paper's XL/1 runs, or in --dry-run (DRY=1) the tiny CPU models."
import os
import torch
from vfmvae.core import load_config
from vfmvae.train_diffusion import DiffusionConfig

dry = os.environ.get('DRY', '0') == '1'
dev = 'cuda' if torch.cuda.is_available() and not dry else 'cpu'
PRESETS = {'LightningDiT': ('configs/diffusion/vfmvae_lightningdit_xl1_64ep.yaml', 'configs/diffusion/tiny_lightningdit_cpu.yaml'),
           'SiT+REG': ('configs/diffusion/vfmvae_reg_sitxl1_64ep.yaml', 'configs/diffusion/tiny_reg_cpu.yaml')}

def preset(paper, tiny):
    "The paper preset (optimiser, loss, sampler); in --dry-run with the tiny CPU preset's model."
    cfg = load_config(DiffusionConfig, paper)
    if dry: cfg.model = load_config(DiffusionConfig, tiny).model
    return cfg

presets = {f"{k}-{'tiny' if dry else 'XL'}/1": v for k, v in PRESETS.items()}
