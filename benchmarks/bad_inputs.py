"""The bad-input matrix of issue 13, run through the real CLIs on tiny configs and a few real Imagenette images.

Each case runs in its own process under a timeout and a memory cap (`ulimit -v`), and is classified:
  behaves  -- `error`: exit status 2 and exactly one `error:` line on stderr, no traceback;
              `skip`:  exit 0, no traceback, and a non-zero count of skipped images in the output;
              `warn`:  exit 0, no traceback, and a `warning:` line (e.g. falling back to an older checkpoint);
              `ok`:    exit 0 (an in-process check of a decoded value passed);
  don't    -- a traceback, a hang (timeout), a kill (memory cap / OOM), or the wrong exit status
              (e.g. exit 0 for a NaN run that should stop).
Prints one line per case and `N behave, N don't`; writes data/results/bad_inputs.json.

    flock /tmp/vfmvae/heavy.lock .venv/bin/python benchmarks/bad_inputs.py [--only SUBSTR] [--jobs 2] [--keep DIR]
"""
import argparse, json, os, re, shutil, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DATA = Path(os.environ.get("VFMVAE_DATA", "/work/shared/data")) / "imagenette"
MEM_KB = 6_000_000            # ulimit -v per case (the tokenizer batch_size=-4 case once grew to 22.8 GB)


def run(argv, timeout=180, env=None, mem_kb=MEM_KB):
    "Run argv under `ulimit -v`; return (rc, stdout, stderr, seconds, timed_out)."
    e = os.environ | {"OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE", "HF_HUB_OFFLINE": "1", "VFMVAE_THREADS": "1",
                      "PYTHONWARNINGS": "ignore"} | (env or {})
    for k in [k for k, v in e.items() if v is None]: e.pop(k)
    t0 = time.time()
    p = subprocess.Popen(["bash", "-c", f'ulimit -v {mem_kb}; exec "$@"', "bash", *map(str, argv)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=e, cwd=ROOT, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout); to = False
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, 9); out, err = p.communicate(); to = True
    return p.returncode, out, err, time.time() - t0, to


# ---------------------------------------------------------------------------------------------------- fixtures
def images(dst: Path, split: str, n_per_class: int, classes: int = 2) -> Path:
    "A small ImageFolder of real Imagenette photos."
    for c in sorted((DATA / split).iterdir())[:classes]:
        (dst / c.name).mkdir(parents=True, exist_ok=True)
        for f in sorted(c.iterdir())[:n_per_class]: shutil.copy(f, dst / c.name / f.name)
    return dst


def fixtures(w: Path) -> dict:
    import numpy as np
    from PIL import Image
    from vfmvae.core import load_config, save_config
    from vfmvae.train_tokenizer import TokenizerTrainConfig
    fx = {"w": w}
    fx["imgs"] = images(w / "imgs", "train", 12)
    fx["val"] = images(w / "val", "val", 6)
    fx["few"] = images(w / "few", "train", 3, classes=1)
    (w / "empty").mkdir()
    (w / "noimg" / "a").mkdir(parents=True); (w / "noimg" / "a" / "readme.txt").write_text("no images here")
    for name, src in (("corrupt", fx["imgs"]), ("corrupt_val", fx["val"])):    # 3 unreadable files among real photos
        cor = w / name; shutil.copytree(src, cor)
        a = sorted(cor.iterdir())[0]; good = sorted(a.iterdir())[0].read_bytes()
        (a / "zz_truncated.JPEG").write_bytes(good[: len(good) // 3]); (a / "zz_empty.JPEG").write_bytes(b"")
        (a / "zz_text.JPEG").write_bytes(b"this is not an image\n")
        fx[name] = cor
    # 16-bit grey PNG at half scale (true 8-bit value 127.5) and an RGBA PNG whose hidden colour is red under alpha 0
    Image.fromarray(np.full((40, 40), 32768, dtype=np.uint16)).save(w / "grey16.png")
    rgba = np.zeros((40, 40, 4), np.uint8); rgba[..., 0] = 255; rgba[:20, :, 1:] = 255        # top half opaque white
    rgba[20:, :, 3] = 0; rgba[:20, :, 3] = 255
    Image.fromarray(rgba, "RGBA").save(w / "rgba.png")
    (w / "bad.yaml").write_text("batch_size: [8\nlr_g: 1e-4\n")
    tiny = dict(run_dir=str(w / "tokrun"), batch_size=8, end_images=32, ema_halflife=32, precision="fp32", device="cpu",
                log_every=16, ckpt_every=16, grid_every=10**9, val_every=10**9, val_n=8, progress=False, keep_ckpts=2,
                model=dict(preset="lite0-64", overrides=["encoder.pretrained=false", "encoder.layers=[2,3]", "encoder.scale_factor=1.0",
                                                      "adapter.level_dims=[4,8]", "decoder.decompress_dim=16", "decoder.w_dim=16",
                                                      "decoder.channels=[16,16,8,8]", "decoder.layers=[1,1,1,1]", "decoder.kernels=[3,3,3,3]",
                                                      "decoder.blur=[3,3,3,3]", "decoder.attn_depths=[1,0,0,0]", "decoder.attn_heads=1",
                                                      "decoder.attn_head_dim=8", "decoder.inject_dims=[16,8]"]),
                data=dict(path=str(fx["imgs"]), val_path=str(fx["val"]), resolution=32),
                loss=dict(perceptual=1.0, perceptual_kind="effnet-lite", vf=5.0, eq_p_latent=0.5),
                disc=dict(backbone="effnet-lite0", pretrained=False, input_size=32, out_indices=[2, 3]))
    fx["tok_yaml"] = save_config(load_config(TokenizerTrainConfig, tiny), w / "tok.yaml")
    return fx


def setup_runs(fx: dict) -> list:
    "A trained tiny tokenizer run (checkpoints at 16 and 32 images), a PCA latent cache, a tiny diffusion run."
    w, log = fx["w"], []
    steps = [("tokenizer run", [BIN / "vfmvae-train-tokenizer", fx["tok_yaml"]]),
             ("latent cache", [BIN / "vfmvae-cache-latents", w / "cache", "--tokenizer", "pca", "--size", "32", "--data", fx["imgs"],
                               "--pca_dim", "8", "--pca_f", "8", "--workers", "0", "--shard_size", "8", "--batch_size", "8"])]
    for name, argv in steps:
        rc, out, err, s, _ = run(argv, timeout=600)
        log.append(f"setup {name}: exit {rc} in {s:.0f}s")
        if rc: raise SystemExit(f"setup {name} failed:\n{err[-3000:]}")
    import yaml
    d = yaml.safe_load((ROOT / "configs/diffusion/tiny_lightningdit_cpu.yaml").read_text())
    d["model"] |= dict(depth=2, width=32, heads=2, in_ch=8, grid=4, num_classes=2)
    d |= dict(cache=str(w / "cache"), batch=8, batch_gpu=0, total=32, log_every=16, ckpt_every=16, ema_halflife=20,
              precision="fp32", ckpt_keep=2)
    d.pop("reported", None)
    (w / "diff.yaml").write_text(yaml.safe_dump(d)); fx["diff_yaml"] = w / "diff.yaml"
    rc, out, err, s, _ = run([BIN / "vfmvae-train-diffusion", w / "diff.yaml", "--run", w / "diffrun"], timeout=600)
    log.append(f"setup diffusion run: exit {rc} in {s:.0f}s")
    if rc: raise SystemExit(f"setup diffusion run failed:\n{err[-3000:]}")
    return log


# ---------------------------------------------------------------------------------------------------- cases
def copy_run(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".lock")); return dst


def newest(run_dir: Path) -> Path: return sorted((run_dir / "checkpoints").glob("ckpt-*"))[-1]


def truncate(f: Path):
    b = f.read_bytes(); f.write_bytes(b[: len(b) // 2])


def cases(fx: dict) -> list:
    "The matrix; every case writes only under its own folder in fx['k'] (fixtures in fx['w'] are read-only)."
    w, k, tok, dif = fx["w"], fx["k"], fx["tok_yaml"], fx["diff_yaml"]
    n = iter(range(10**6))
    T = lambda *ov: [BIN / "vfmvae-train-tokenizer", tok, f"run_dir={k / f't{next(n)}'}", *ov]
    D = lambda *ov, run=None: [BIN / "vfmvae-train-diffusion", dif, "--run", run or (k / f"d{next(n)}")] + (["--set", *ov] if ov else [])
    C = lambda *a: [BIN / "vfmvae-cache-latents", *a]
    py = lambda code: [sys.executable, "-c", code]
    cs = []
    def case(name, owner, argv, expect="error", prep=None, timeout=180, env=None):
        cs.append(dict(name=name, owner=owner, argv=argv, expect=expect, prep=prep, timeout=timeout, env=env))

    def broken_tok(name, breaker, only=False):
        def prep():
            r = copy_run(w / "tokrun", k / name)
            if only: shutil.rmtree(sorted((r / "checkpoints").glob("ckpt-*"))[0])
            breaker(newest(r))
        return prep

    # --- tokenizer training: config values
    case("tok batch_size=-4", "08_train_tokenizer", T("batch_size=-4"))
    case("tok YAML syntax error", "00_core", [BIN / "vfmvae-train-tokenizer", w / "bad.yaml"])
    case("tok unknown key", "00_core", T("lr_gg=1"))
    case("tok batch_size=0", "08_train_tokenizer", T("batch_size=0"))
    case("tok accum=0", "08_train_tokenizer", T("accum=0"))
    case("tok lr_g=-1", "08_train_tokenizer", T("lr_g=-1"))
    case("tok data.resolution=65", "07_data", T("data.resolution=65"))
    case("tok data.resolution=0", "07_data", T("data.resolution=0"))
    case("tok data.num_workers=-1", "07_data", T("data.num_workers=-1"))
    case("tok data.source=tfrecord", "07_data", T("data.source=tfrecord"))
    case("tok min_crop > max_crop", "07_data", T("data.min_crop=0.9", "data.max_crop=0.5"))
    case("tok device=cuda without GPU", "08_train_tokenizer (pick_device in 00_core)", T("device=cuda"))
    # --- tokenizer training: data
    case("tok missing data folder", "07_data", T(f"data.path={k / 'nope'}"))
    case("tok empty data folder", "07_data", T(f"data.path={w / 'empty'}"))
    case("tok class folder without images", "07_data", T(f"data.path={w / 'noimg'}"))
    case("tok fewer images than one batch", "07_data", T(f"data.path={fx['few']}"))
    case("tok missing keys_file", "07_data", T(f"data.keys_file={k / 'nope.txt'}"))
    case("tok wds source without shards", "07_data", T("data.source=wds", f"data.path={w / 'empty'}"))
    case("tok init_from a missing run", "08_train_tokenizer", T(f"model.init_from={k / 'nope'}"))
    case("tok corrupt images skipped+counted", "07_data", T(f"data.path={fx['corrupt']}", "end_images=32"), expect="skip", timeout=300)
    case("tok lr_g=1e6 stops (K skipped steps)", "08_train_tokenizer / 01a_runs", T("lr_g=1e6", "lr_d=1e6", "batch_size=4",
         "end_images=160", "log_every=40"), timeout=400)
    # --- tokenizer resume from damaged checkpoints (newest broken: fall back, say so)
    resume = lambda name: [BIN / "vfmvae-train-tokenizer", tok, f"run_dir={k / name}", "end_images=40"]
    case("tok resume: truncated model.safetensors", "01a_runs", resume("r_model"), "warn",
         broken_tok("r_model", lambda ck: truncate(ck / "model.safetensors")), timeout=300)
    case("tok resume: truncated ema.safetensors", "01a_runs", resume("r_ema"), "warn",
         broken_tok("r_ema", lambda ck: truncate(ck / "ema.safetensors")), timeout=300)
    case("tok resume: checkpoint without disc", "01a_runs", resume("r_disc"), "warn",
         broken_tok("r_disc", lambda ck: (ck / "disc.safetensors").unlink()), timeout=300)
    case("tok resume: empty state.json", "01a_runs", resume("r_state"), "warn",
         broken_tok("r_state", lambda ck: (ck / "state.json").write_text("")), timeout=300)
    case("tok resume: only checkpoint truncated", "01a_runs", resume("r_only"), "error",
         broken_tok("r_only", lambda ck: truncate(ck / "model.safetensors"), only=True))
    case("tok resume with changed config", "00_core", [BIN / "vfmvae-train-tokenizer", tok, f"run_dir={k / 'r_cfg'}", "lr_g=0.5"],
         prep=lambda: copy_run(w / "tokrun", k / "r_cfg"))
    case("tok second writer on a locked run", "00_core", [BIN / "vfmvae-train-tokenizer", tok, f"run_dir={k / 'r_lock'}", "end_images=100000"],
         prep=lambda: copy_run(w / "tokrun", k / "r_lock"), timeout=240)        # the holder is started in run_case
    # --- diffusion training
    case("diff batch=0", "13_train_diffusion", D("batch=0"))
    case("diff batch=-8", "13_train_diffusion", D("batch=-8"))
    case("diff unknown key", "00_core", D("batchh=8"))
    case("diff missing cache folder", "13_train_diffusion / 12_latents", D(f"cache={k / 'nope'}"))
    def cache_copy(name, breaker):
        def prep(): shutil.copytree(w / "cache", k / name); breaker(k / name)
        return prep
    case("diff cache with a missing shard", "12_latents", D(f"cache={k / 'c_shard'}"),
         prep=cache_copy("c_shard", lambda c: sorted(c.glob("shard_*"))[-1].unlink()))
    case("diff cache with a truncated shard", "12_latents", D(f"cache={k / 'c_trunc'}"),
         prep=cache_copy("c_trunc", lambda c: truncate(sorted(c.glob("shard_*"))[-1])))
    case("diff cache without stats", "12_latents", D(f"cache={k / 'c_stats'}"),
         prep=cache_copy("c_stats", lambda c: (c / "stats.safetensors").unlink()))
    case("diff cache without meta.json", "12_latents", D(f"cache={k / 'c_meta'}"),
         prep=cache_copy("c_meta", lambda c: (c / "meta.json").unlink()))
    case("diff optim.lr=1e6 stops", "13_train_diffusion / 01a_runs", D("optim.lr=1e6", "optim.warmup=0", "total=400", "log_every=80",
         run=k / "d_lr"), timeout=400)
    case("diff at a tokenizer run folder", "00_core / 13_train_diffusion", D(run=k / "d_tokfolder"),
         prep=lambda: copy_run(w / "tokrun", k / "d_tokfolder"))
    def broken_diff():
        r = copy_run(w / "diffrun", k / "d_resume"); truncate(newest(r) / "model.safetensors")
    case("diff resume: truncated model.safetensors", "01a_runs", D("total=48", run=k / "d_resume"), "warn", broken_diff, timeout=300)
    # --- latent cache
    case("cache unknown tokenizer spec", "12_latents", C(k / "c1", "--tokenizer", "foo", "--data", fx["imgs"], "--size", "32"))
    case("cache size 0", "12_latents", C(k / "c2", "--size", "0", "--data", fx["imgs"]))
    case("cache missing data folder", "12_latents", C(k / "c3", "--data", k / "nope", "--size", "32"))
    case("cache reused folder, other settings", "12_latents", C(k / "c4", "--tokenizer", "pca", "--size", "64", "--data", fx["imgs"],
         "--pca_dim", "8", "--pca_f", "8", "--workers", "0"), prep=lambda: shutil.copytree(w / "cache", k / "c4"))
    case("cache corrupt images skipped+counted", "12_latents", C(k / "c5", "--tokenizer", "pca", "--size", "32", "--data", fx["corrupt"],
         "--pca_dim", "8", "--pca_f", "8", "--workers", "0"), expect="skip", timeout=300)
    # --- SE-CKNNA
    S = lambda *a: [BIN / "vfmvae-se-cknna", *a, "--out_dir", k / "se_out", "--fig_dir", k / "se_fig", "--threads", "1"]
    case("se-cknna missing tokenizer folder", "06_alignment", S("--tokenizer", k / "nope", "--data", fx["val"], "--size", "32"))
    case("se-cknna missing data folder", "06_alignment", S("--tokenizer", w / "tokrun", "--data", k / "nope", "--size", "32"))
    case("se-cknna corrupt images skipped+counted", "06_alignment", S("--tokenizer", w / "tokrun", "--data", fx["corrupt"], "--size", "32",
         "--limit", "30", "--k", "3", "--batch_size", "8"), expect="skip", timeout=400)
    # --- paper tables
    case("paper missing data folder", "90_paper_tables_figures", [BIN / "vfmvae-paper", "--out", k / "p_out", "--data", k / "nope"])
    case("paper missing results folder", "90_paper_tables_figures", [BIN / "vfmvae-paper", "--out", k / "p_out2", "--results", k / "nope"])
    # --- evaluations
    case("eval-recon missing run folder", "09_eval_recon", [BIN / "vfmvae-eval-recon", k / "nope", "--n", "8", "--no_fid"])
    case("eval-recon missing val_path", "09_eval_recon", [BIN / "vfmvae-eval-recon", w / "tokrun", "--n", "8", "--no_fid", "--val_path", k / "nope"])
    case("eval-recon only checkpoint truncated", "09_eval_recon / 01a_runs", [BIN / "vfmvae-eval-recon", k / "er_only", "--n", "8", "--no_fid"],
         prep=broken_tok("er_only", lambda ck: truncate(ck / "ema.safetensors"), only=True))
    case("eval-recon corrupt val images skipped+counted", "09_eval_recon", [BIN / "vfmvae-eval-recon", w / "tokrun", "--n", "15", "--no_fid",
         "--val_path", fx["corrupt_val"], "--out", k / "er.json"], expect="skip", timeout=300)
    case("eval-gen missing run folder", "14_eval_gen", [BIN / "vfmvae-eval-gen", k / "nope", "--n", "8", "--ref_n", "8"])
    def trunc_gen():
        r = copy_run(w / "diffrun", k / "g_trunc"); truncate(newest(r) / "ema.safetensors")
    case("eval-gen explicit truncated checkpoint", "14_eval_gen", [BIN / "vfmvae-eval-gen", k / "g_trunc", "--n", "8", "--ref_n", "8",
         "--checkpoint", k / "g_trunc" / "checkpoints" / "ckpt-000000000032"], prep=trunc_gen)
    case("eval-gen n=0", "14_eval_gen", [BIN / "vfmvae-eval-gen", w / "diffrun", "--n", "0", "--ref_n", "8"])
    # --- hub names offline, image decoding
    hub = ("from vfmvae.core import user_errors; from vfmvae.assets import timm_backbone; "
           "user_errors(lambda: timm_backbone('hf-hub:timm/vit_small_patch16_224.augreg_in21k'))()")
    case("timm hf-hub name, HF_HUB_OFFLINE=1", "01_assets", py(hub), timeout=60)
    case("timm hf-hub name, HF_HUB_OFFLINE unset", "01_assets", py(hub), timeout=60, env={"HF_HUB_OFFLINE": None})
    dec = ("from vfmvae.data import decode_image, pil_to_uint8; from pathlib import Path; "
           "x = pil_to_uint8(decode_image(Path({p!r}).read_bytes())).float(); {check}")
    case("16-bit PNG decodes to mean 127.5", "07_data", py(dec.format(p=str(w / "grey16.png"),
         check="m = x.mean().item(); print('mean', m); assert abs(m - 127.5) < 1, m")), expect="ok", timeout=60)
    case("RGBA transparent pixels composited", "07_data", py(dec.format(p=str(w / "rgba.png"),
         check="b = x[:, 20:, :]; print('transparent half', b.mean((1, 2)).tolist()); "
               "assert not (b[0].mean() > 200 and b[1].mean() < 50), 'hidden red under alpha 0 leaked'")), expect="ok", timeout=60)
    return cs


# ---------------------------------------------------------------------------------------------------- classification
def classify(expect: str, rc, out: str, err: str, timed_out: bool) -> tuple[bool, str]:
    if timed_out: return False, "hang (timeout)"
    if rc in (-9, 137) or "MemoryError" in err or "Cannot allocate memory" in err: return False, f"killed / out of memory (exit {rc})"
    if "Traceback (most recent call last)" in err:
        last = [l for l in err.strip().splitlines() if l.strip()][-1]
        return False, f"traceback: {last[:160]}"
    errs = [l for l in err.splitlines() if l.startswith("error:")]
    if expect == "error":
        if rc == 2 and len(errs) == 1: return True, errs[0][:160]
        return False, f"exit {rc}, {len(errs)} error: line(s)" + (" (ran to the end)" if rc == 0 else "")
    if expect == "skip":
        m = re.findall(r'"?(?:skipped[a-z_]*|unreadable)"?\s*[:=]?\s*(\d+)', out + err)
        if rc == 0 and any(int(v) > 0 for v in m): return True, f"skipped count {max(int(v) for v in m)}"
        return False, f"exit {rc}, skipped count {m or 'not reported'}" + (f"; {errs[0][:120]}" if errs else "")
    if expect == "warn":
        warns = [l for l in err.splitlines() if l.startswith("warning:")]
        if rc == 0 and warns: return True, warns[0][:160]
        return False, f"exit {rc}, no warning: line" + (f"; {errs[0][:120]}" if errs else "")
    return rc == 0, (out.strip().splitlines() or [""])[-1][:160] if rc == 0 else f"exit {rc}: {(err.strip().splitlines() or [''])[-1][:140]}"


def run_case(c: dict, fx: dict) -> dict:
    if c["prep"]: c["prep"]()
    holder = None
    if "second writer" in c["name"]:      # hold the run folder with a real training process first
        holder = subprocess.Popen([BIN / "vfmvae-train-tokenizer", fx["tok_yaml"], f"run_dir={fx['k'] / 'r_lock'}", "end_images=100000"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, start_new_session=True,
                                  env=os.environ | {"OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"})
        lock = fx["k"] / "r_lock" / ".lock"
        for _ in range(600):
            if lock.exists() and lock.read_text().strip(): break
            time.sleep(0.2)
    try: rc, out, err, secs, to = run(c["argv"], c["timeout"], c["env"])
    finally:
        if holder is not None: os.killpg(holder.pid, 9); holder.wait()
    ok, why = classify(c["expect"], rc, out, err, to)
    return dict(name=c["name"], owner=c["owner"], expect=c["expect"], behaves=ok, detail=why, exit=rc, seconds=round(secs, 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", default="", help="run only cases whose name contains this")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", default="", help="work folder to keep (default: a temporary one, removed)")
    ap.add_argument("--out", default=str(ROOT / "data/results/bad_inputs.json"))
    a = ap.parse_args()
    base = Path(a.keep or tempfile.mkdtemp(prefix="bad_inputs_")); w, k = base / "fixtures", base / "cases"
    t0 = time.time()
    if (w / "setup.json").is_file():                    # --keep: reuse the fixtures and trained runs of an earlier call
        fx = json.loads((w / "setup.json").read_text()); setup = fx.pop("setup"); fx = {n: Path(v) for n, v in fx.items()}
    else:
        shutil.rmtree(w, ignore_errors=True); w.mkdir(parents=True)
        fx = fixtures(w); setup = setup_runs(fx)
        (w / "setup.json").write_text(json.dumps({n: str(v) for n, v in fx.items()} | {"setup": setup}))
    shutil.rmtree(k, ignore_errors=True); k.mkdir(parents=True); fx["k"] = k
    for l in setup: print(l, flush=True)
    todo = [c for c in cases(fx) if a.only in c["name"]]
    with ThreadPoolExecutor(a.jobs) as ex:
        results = []
        for r in ex.map(lambda c: run_case(c, fx), todo):
            print(f"{'behaves' if r['behaves'] else 'DOES NOT'} | {r['name']} [{r['owner']}] {r['seconds']}s: {r['detail']}", flush=True)
            results.append(r)
    nb = sum(r["behaves"] for r in results)
    print(f"{nb} behave, {len(results) - nb} don't")
    if not a.only:
        out = dict(cases=results, behave=nb, dont=len(results) - nb, setup=setup, seconds=round(time.time() - t0),
                   load_avg=os.getloadavg(), mem_cap_kb=MEM_KB, git=subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT,
                   capture_output=True, text=True).stdout.strip())
        Path(a.out).write_text(json.dumps(out, indent=1)); print("wrote", a.out)
    if not a.keep: shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
