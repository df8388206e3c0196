"Project hygiene: the exported library matches the notebooks, and notebooks are committed clean."
import json, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted((ROOT/"nbs").glob("*.ipynb"))

def test_export_in_sync(tmp_path):
    "Running nbdev_export on a copy of the notebooks reproduces vfmvae/ exactly (no stale or hand-edited module)."
    shutil.copy(ROOT/"settings.ini", tmp_path); shutil.copytree(ROOT/"nbs", tmp_path/"nbs")
    (tmp_path/"vfmvae").mkdir()
    r = subprocess.run([str(Path(sys.executable).parent/"nbdev_export")], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    ours = {p.name: p.read_text() for p in (tmp_path/"vfmvae").glob("*.py")}
    repo = {p.name: p.read_text() for p in (ROOT/"vfmvae").glob("*.py")}
    assert sorted(ours) == sorted(repo), f"modules differ: {sorted(set(ours) ^ set(repo))}"
    stale = [n for n in ours if ours[n] != repo[n]]
    assert not stale, f"vfmvae/ is out of sync with nbs/ (run nbdev_export): {stale}"

def test_notebooks_clean():
    "No outputs or execution counts committed, and every cell has a stable id."
    for nb in NBS:
        cells = json.loads(nb.read_text())["cells"]
        for c in cells:
            assert c.get("id"), f"{nb.name}: a cell has no id"
            if c["cell_type"] == "code":
                assert not c.get("outputs") and c.get("execution_count") is None, f"{nb.name}: outputs committed"
