"Every notebook's tests, one pytest item per notebook, each in its own process (one accelerate state, fresh memory)."
import os, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p for p in (ROOT/"nbs").glob("*.ipynb") if not p.name.startswith("_"))
FLAGS = os.environ.get("VFMVAE_TEST_FLAGS", "").strip()

@pytest.mark.parametrize("nb", NBS, ids=lambda p: p.stem)
def test_notebook(nb):
    cmd = [str(Path(sys.executable).parent/"nbdev_test"), "--path", str(nb), "--n_workers", "0"]
    if FLAGS: cmd += ["--flags", FLAGS]
    env = {"OMP_WAIT_POLICY": "PASSIVE", **os.environ, "HF_HUB_OFFLINE": "1"}
    r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 0, f"{nb.name} failed:\n{r.stdout[-6000:]}\n{r.stderr[-12000:]}"
