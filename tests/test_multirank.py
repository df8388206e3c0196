"""Two real CPU processes (torch.distributed.run, gloo) on tiny configs, for both training loops.

Checks: the ranks hold identical weights; each step's global batch is split between the ranks without overlap and an
epoch covers every image; a 2-rank run stopped half-way and resumed in fresh processes ends bit-identical to the
uninterrupted 2-rank run. The working CPU launch (accelerate's `--cpu --num_processes 2` silently starts ONE process):

    OMP_NUM_THREADS=1 torchrun --nproc_per_node 2 --nnodes 1 --master_addr 127.0.0.1 --master_port 29511 \\
        -- $(which vfmvae-train-diffusion) CONFIG --run DIR     # `--`: else torchrun takes --run for its --run-path
"""
import json, os, socket, subprocess, sys, textwrap
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("VFMVAE_DATA", "/work/shared/data")) / "imagenette" / "train"

DRIVER = textwrap.dedent('''
    import json, sys, torch
    from pathlib import Path
    from safetensors.torch import save_file
    phase, work = sys.argv[1], Path(sys.argv[2])
    cfgs = json.loads((work / "cfgs.json").read_text())

    def tokenizer(run, **kw):
        from vfmvae.core import load_config
        from vfmvae.data import ImageStream
        from vfmvae.train_tokenizer import TokenizerTrainConfig, TokenizerTrainer
        tr = TokenizerTrainer(load_config(TokenizerTrainConfig, dict(cfgs["tok"], run_dir=str(work / run), **kw)))
        seen = []
        class Recording(type(tr.stream)):                 # record the indices each rank trains on
            def iter_info(self):
                for x, y, info in super().iter_info(): seen.append(info["index"].tolist()); yield x, y, info
        tr.stream.__class__ = Recording
        tr.run()
        r = tr.rank
        save_file({k: v.detach().contiguous().clone() for k, v in tr.model.state_dict().items()}, str(work / f"{run}-rank{r}.safetensors"))
        (work / f"{run}-rank{r}.json").write_text(json.dumps({"seen": seen, "world": tr.world, "nimg": tr.nimg}))

    def diffusion(run, total):
        from vfmvae.core import load_config
        from vfmvae.train_diffusion import DiffusionConfig, train
        res = train(load_config(DiffusionConfig, dict(cfgs["diff"], total=total)), work / run, progress=False, cpu=True)
        (work / f"{run}-{torch.distributed.get_rank()}.json").write_text(json.dumps(res | {"world": torch.distributed.get_world_size()}))

    if phase == "first":
        tokenizer("tokA"); tokenizer("tokB", max_steps=2)
        diffusion("difA", 64); diffusion("difB", 32)
    else:
        tokenizer("tokB"); diffusion("difB", 64)
''')


def _port():
    with socket.socket() as s: s.bind(("127.0.0.1", 0)); return s.getsockname()[1]


def torchrun(work, phase):
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--nnodes", "1", "--master_addr", "127.0.0.1",
           "--master_port", str(_port()), str(work / "driver.py"), phase, str(work)]
    env = os.environ | {"OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE", "HF_HUB_OFFLINE": "1"}
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-6000:]
    return r


def _images(dst: Path, n_per_class=12, classes=2):
    import shutil
    for c in sorted(DATA.iterdir())[:classes]:
        (dst / c.name).mkdir(parents=True)
        for f in sorted(c.iterdir())[:n_per_class]: shutil.copy(f, dst / c.name / f.name)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    if not DATA.is_dir(): pytest.skip(f"Imagenette not found at {DATA} (set VFMVAE_DATA)")
    import torch
    from vfmvae.core import config_to_dict
    from vfmvae.dit import DiTConfig
    from vfmvae.latents import _atomic_save, finalize_cache
    work = tmp_path_factory.mktemp("multirank")
    _images(work / "imgs")
    g = torch.Generator().manual_seed(0); n = 48                    # a toy latent cache (as in 13_train_diffusion)
    mean = torch.randn(n, 8, 4, 4, generator=g)
    (work / "cache").mkdir()
    _atomic_save({"mean": mean, "std": torch.zeros_like(mean).half(), "mean_flip": mean.flip(-1).contiguous(),
                  "std_flip": torch.zeros_like(mean).half(), "labels": torch.arange(n) % 3, "index": torch.arange(n)},
                 work / "cache" / "shard_00000.safetensors")
    (work / "cache" / "meta.json").write_text(json.dumps({"n_images": n, "shard_size": n, "n_shards": 1}))
    finalize_cache(work / "cache")
    tok = dict(batch_size=8, end_images=32, ema_halflife=32, precision="fp32", device="cpu", log_every=8, ckpt_every=16,
               grid_every=10**9, val_every=10**9, progress=False,
               model=dict(preset="lite0-64", overrides=["encoder.pretrained=false", "encoder.layers=[2,3]", "encoder.scale_factor=1.0",
                                                     "adapter.level_dims=[4,8]", "decoder.decompress_dim=16", "decoder.w_dim=16",
                                                     "decoder.channels=[16,16,8,8]", "decoder.layers=[1,1,1,1]", "decoder.kernels=[3,3,3,3]",
                                                     "decoder.blur=[3,3,3,3]", "decoder.attn_depths=[1,0,0,0]", "decoder.attn_heads=1",
                                                     "decoder.attn_head_dim=8", "decoder.inject_dims=[16,8]"]),
               data=dict(path=str(work / "imgs"), val_path=str(work / "imgs"), resolution=32),
               loss=dict(perceptual=1.0, perceptual_kind="effnet-lite", vf=5.0, eq_p_latent=0.5),
               disc=dict(backbone="effnet-lite0", pretrained=False, input_size=32, out_indices=[2, 3]))
    diff = dict(model=config_to_dict(DiTConfig(depth=2, width=32, heads=2, grid=4, in_ch=8, num_classes=3, norm="layer", mlp="gelu", rope=False)),
                optim={"lr": 1e-3, "grad_clip": 1.0}, cache=str(work / "cache"), batch=8, total=64, log_every=16, ckpt_every=16,
                ema_halflife=20, precision="fp32", ckpt_keep=0)
    (work / "cfgs.json").write_text(json.dumps({"tok": tok, "diff": diff}))
    (work / "driver.py").write_text(DRIVER)
    first = torchrun(work, "first"); second = torchrun(work, "second")
    return work, first, second


def _tensors(path):
    from safetensors.torch import load_file
    return load_file(str(path))


def _same(a, b):
    import torch
    assert a.keys() == b.keys()
    diff = [k for k in a if not torch.equal(a[k], b[k])]
    assert not diff, f"{len(diff)} of {len(a)} tensors differ, e.g. {diff[:3]}"


def test_two_processes_really_run(runs):
    work, first, _ = runs
    for r in (0, 1): assert json.loads((work / f"tokA-rank{r}.json").read_text())["world"] == 2
    assert json.loads((work / "difA-1.json").read_text())["world"] == 2
    assert "world size 2" in first.stderr                             # every run prints its world size


def test_tokenizer_ranks_equal_and_data_split(runs):
    work = runs[0]
    _same(_tensors(work / "tokA-rank0.safetensors"), _tensors(work / "tokA-rank1.safetensors"))
    s0, s1 = (json.loads((work / f"tokA-rank{r}.json").read_text())["seen"] for r in (0, 1))
    assert len(s0) == len(s1) == 4 and all(len(b) == 4 for b in s0 + s1)   # 4 steps of 4 images per rank (global batch 8)
    for a, b in zip(s0, s1): assert not set(a) & set(b)                    # no image on both ranks in one step
    epoch = [i for b in s0[:3] + s1[:3] for i in b]                         # 24 images = 3 steps of 8: one epoch
    assert sorted(epoch) == list(range(24))


def test_tokenizer_two_rank_resume_is_exact(runs):
    work = runs[0]
    ck = "checkpoints/ckpt-000000000032"
    for f in ("model", "ema", "disc", "optim_g", "optim_d"):
        _same(_tensors(work / "tokA" / ck / f"{f}.safetensors"), _tensors(work / "tokB" / ck / f"{f}.safetensors"))


def test_diffusion_two_rank_resume_is_exact(runs):
    work = runs[0]
    ck = "checkpoints/ckpt-000000000064"
    for f in ("model", "ema", "optim_opt"):
        _same(_tensors(work / "difA" / ck / f"{f}.safetensors"), _tensors(work / "difB" / ck / f"{f}.safetensors"))
