"""Render the chapters: execute nbs/*.ipynb with the default test flags and write them, with their outputs, as HTML.

    python docs/build.py --out _site                      # execute every chapter, render, write _site/index.html
    python docs/build.py --out _site --only 00_core,01a_runs
    python docs/build.py --out _site --no-execute         # render the committed (output-free) notebooks, fast
    python docs/build.py --out _site --flags slow         # also run the `#| slow` cells, as `nbdev_test --flags slow`
    python docs/build.py --out _site --rerender --mathjax local   # restyle the last build; math from libjs-mathjax

Cells are skipped exactly as `nbdev_test` skips them (nbdev 2.4.14, `nbdev.test.test_nb`): a code cell whose leading
`#|` directives name a flag of `tst_flags` in settings.ini (not forced with --flags), `#| eval: false`, or a cell that
calls `nbdev_export(`. Skipped cells are shown, marked "not run". Each notebook runs in its own process (its own
kernel), with cwd=nbs, under a per-notebook timeout; a failing notebook is rendered up to its error, reported, and the
build goes on and exits non-zero at the end. The executed notebooks live only in the output folder: the repository
keeps its notebooks output-free (tests/test_project.py), so `nbdev_export` is untouched by a docs build.
"""
import argparse, configparser, html, json, os, re, shutil, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS, DOCS = ROOT/"nbs", ROOT/"docs"
DIRECTIVE = re.compile(r"^\s*#\s*\|")
ANSI = re.compile(r"\x1b\[[0-9;]*m")

def default_flags():
    cfg = configparser.ConfigParser(); cfg.read(ROOT/"settings.ini")
    return cfg["DEFAULT"].get("tst_flags", "").split()

def directives(cell):
    "The cell's leading `#|` directives, parsed by nbdev itself (so the rules are nbdev_test's)."
    from nbdev.process import extract_directives
    return extract_directives(cell, remove=False) or {}

def skip_reason(cell, skip_flags):
    "Why nbdev_test would not run this code cell (None: it runs)."
    if "nbdev_export" + "(" in cell.source: return "nbdev_export"
    d = directives(cell)
    if d.get("eval:", [""])[0].lower() == "false": return "eval: false"
    hit = sorted(set(skip_flags) & d.keys())
    return f"#| {' '.join(hit)}" if hit else None

# ---------------------------------------------------------------- execution (one process per notebook)
def execute_one(src: Path, dst: Path, skip_flags, timeout):
    """Run in a child process: execute `src` as `nbdev_test` does (execnb's in-process `CaptureShell`, cwd = the
    notebook's folder, IN_TEST=1, stop at the first error) and write the notebook with its outputs to `dst`.
    (A Jupyter kernel differs: e.g. `tqdm.auto` becomes a widget there, and tests that read stderr fail.)"""
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    from fastcore.xtras import working_directory
    os.environ["IN_TEST"] = "1"
    nb = read_nb(src)
    def no_eval(cell):
        if cell.cell_type != "code": return True
        if why := skip_reason(cell, skip_flags): cell.metadata["vfmvae_skip"] = why
        return bool(why)
    shell, rc = CaptureShell(src), 0
    try:
        with working_directory(src.parent): shell.run_all(nb, exc_stop=True, preproc=no_eval)
    except Exception as e:
        rc = 1; nb.metadata["vfmvae_error"] = f"{type(e).__name__}: {e}".strip()[:300]
    write_nb(nb, dst)
    return rc

def run_child(src, dst, skip_flags, timeout, env):
    "Execute one notebook in its own process under a wall-clock limit; returns (status, seconds, message)."
    cmd = [sys.executable, __file__, "--_execute", str(src), str(dst), "--timeout", str(timeout),
           "--_skip", ",".join(skip_flags)]
    t0 = time.time()
    p = subprocess.Popen(cmd, env=env, cwd=src.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try: out, _ = p.communicate(timeout=timeout + 30)  # + kernel start-up
    except subprocess.TimeoutExpired:
        p.kill(); p.communicate()  # the kernel polls its parent and exits with it
        return "timed out", time.time() - t0, f"the notebook ran over {timeout} s"
    dt = time.time() - t0
    if p.returncode == 0: return "ok", dt, ""
    status = "failed"
    msg = ""
    if dst.exists():
        import nbformat
        msg = nbformat.read(dst, as_version=4).metadata.get("vfmvae_error", "")
    tail = (out or "").strip().splitlines()
    return status, dt, msg or (ANSI.sub("", tail[-1]) if tail else f"exit {p.returncode}")

# ---------------------------------------------------------------- rendering
def title_of(nb):
    "The chapter's H1 and its `>` subtitle, from the first markdown cell."
    md = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
    t = re.search(r"^#\s+(.+)$", md, re.M); s = re.search(r"^>\s*(.+)$", md, re.M)
    return (t.group(1).strip() if t else ""), (s.group(1).strip() if s else "")

def terminal(text):
    "A stream as a terminal shows it: on each line only what follows the last carriage return (progress bars)."
    return "\n".join(([p for p in line.split("\r") if p] or [""])[-1] for line in text.split("\n"))

def coalesce(outputs):
    "Consecutive outputs of one stream merged, then shown as a terminal would (one line per progress bar)."
    out = []
    for o in outputs:
        if o.get("output_type") == "stream" and out and out[-1].get("output_type") == "stream" and out[-1].name == o.name:
            out[-1].text += o.text
        else: out.append(o)
    for o in out:
        if o.get("output_type") == "stream": o.text = terminal(o.text)
    return out

def tidy(nb, skip_flags):
    "Reader-facing notebook: no `#|` lines, no export-only cells, skipped cells marked."
    cells = []
    for c in nb.cells:
        if c.cell_type == "code":
            why = c.metadata.get("vfmvae_skip") or skip_reason(c, skip_flags)
            lines = c.source.splitlines(True); i = 0
            while i < len(lines) and (DIRECTIVE.match(lines[i]) or not lines[i].strip()): i += 1
            c.source = "".join(lines[i:]).rstrip()
            c.outputs = coalesce(c.get("outputs", []))
            if not c.source and not c.outputs: continue  # `#| default_exp x` alone, or an empty cell
            if why == "nbdev_export": continue
            if why: c.metadata.setdefault("tags", []).append("notrun")
            if any(o.get("output_type") == "error" for o in c.outputs):
                c.metadata.setdefault("tags", []).append("error")
                # IPython already printed the (coloured) traceback as a stream; execnb's plain copy would repeat it
                if any(o.get("output_type") == "stream" and "Traceback" in o.text for o in c.outputs): c.outputs = [o for o in c.outputs if o.get("output_type") != "error"]
            c.metadata["vfmvae_why"] = why or ""
        cells.append(c)
    nb.cells = cells
    return nb

def render(nb, title, page_nav, banner, css, mathjax):
    from nbconvert import HTMLExporter
    exp = HTMLExporter(template_name="lab", **({"mathjax_url": mathjax} if mathjax else {}))
    body, _ = exp.from_notebook_node(nb, resources={"metadata": {"name": title}})
    # markdown images/links into the committed results (relative to nbs/) point at the site's copies (copy_results)
    body = re.sub(r'(src|href)="\.\./(?:figures|data/results)/(tables/)?', lambda m: f'{m.group(1)}="results/{m.group(2) or ""}', body)
    # mark the not-run cells with the reason (a data attribute CSS can show), and add the navigation + our CSS
    whys = iter(c.metadata.get("vfmvae_why", "") for c in nb.cells if c.cell_type == "code")
    body = re.sub(r'<div (id="[^"]*" )?class="jp-Cell jp-CodeCell',
                  lambda m: f'<div {m.group(1) or ""}data-why="{html.escape(next(whys, ""))}" class="jp-Cell jp-CodeCell', body)
    # pygments' Name.Decorator class "nd" leaves a whole decorated cell uncoloured in Chromium (seen in the browser
    # check); a class of our own keeps the colours
    body = body.replace('<span class="nd">', '<span class="vfm-dec">')
    body = body.replace("</head>", f"<style>{css}</style>\n</head>", 1)
    body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + page_nav + banner, body, count=1)
    return body

def nav(prev, nxt):
    a = lambda p, lab: f'<a href="{p[0]}.html">{lab} {html.escape(p[1])}</a>' if p else "<span></span>"
    return (f'<nav class="vfm-nav">{a(prev, "&larr;")}<a href="index.html">vfmvae &middot; all chapters</a>'
            f'{a(nxt, "&rarr;")}</nav>')

# ---------------------------------------------------------------- index
def md_page(md_text, title, css):
    import mistune
    body = mistune.create_markdown(escape=False, plugins=["table"])(md_text)
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<link rel="stylesheet" href="../../site.css"></head><body class="vfm-page">'
            f'<nav class="vfm-nav"><span></span><a href="../../index.html">vfmvae &middot; index</a><span></span></nav>'
            f'<h1>{html.escape(title)}</h1><div class="vfm-table">{body}</div></body></html>')

def copy_results(out, css):
    "Copy the committed results into the site; return the index's results section."
    res = out/"results"; (res/"tables").mkdir(parents=True, exist_ok=True)
    figs = sorted((ROOT/"figures").glob("*.png"))
    tables = sorted((ROOT/"figures"/"tables").glob("*.md"))
    data = sorted((ROOT/"data"/"results").glob("*.json")) + sorted((ROOT/"data"/"results").glob("*.csv"))
    for f in figs: shutil.copy2(f, res/f.name)
    for f in data: shutil.copy2(f, res/f.name)
    for f in tables:
        shutil.copy2(f, res/"tables"/f.name)
        (res/"tables"/(f.stem + ".html")).write_text(md_page(f.read_text(), f.stem, css))
    fig_html = "".join(f'<figure><a href="results/{f.name}"><img src="results/{f.name}" loading="lazy" alt="{f.stem}"></a>'
                       f'<figcaption>{html.escape(f.stem)}</figcaption></figure>' for f in figs)
    tab_html = "".join(f'<li><a href="results/tables/{f.stem}.html">{html.escape(f.stem)}</a> '
                       f'(<a href="results/tables/{f.name}">md</a>)</li>' for f in tables)
    dat_html = "".join(f'<li><a href="results/{f.name}">{html.escape(f.name)}</a></li>' for f in data)
    return (f'<h2>Results</h2><p>The committed outputs of <code>make repro</code> and the benchmarks '
            f'(<code>figures/</code>, <code>figures/tables/</code>, <code>data/results/</code>), copied here as they are in the repository.</p>'
            + "".join(copy_chain(d, res, css) for d in sorted((ROOT/"figures").glob("repro*")) if d.is_dir()) +
            f'<h3>Figures</h3><div class="vfm-figs">{fig_html}</div>'
            f'<h3>Tables</h3><ul class="vfm-cols">{tab_html}</ul><h3>Measured results (JSON, CSV)</h3><ul class="vfm-cols">{dat_html}</ul>')

def copy_chain(fig_dir, res, css):
    "One reproduction chain's report (figures/<chain>/ and data/results/<chain>/) into results/<chain>/; its index section."
    dst = res/fig_dir.name; (dst/"data").mkdir(parents=True, exist_ok=True)
    pages = [f for f in [fig_dir/"claims.md", *sorted((fig_dir/"tables").glob("*.md"))] if f.is_file()]
    figs, recs = sorted(fig_dir.glob("*.png")), sorted((ROOT/"data"/"results"/fig_dir.name).glob("*.json"))
    for f in figs: shutil.copy2(f, dst/f.name)
    for f in recs: shutil.copy2(f, dst/"data"/f.name)
    for f in pages: (dst/(f.stem + ".html")).write_text(md_page(f.read_text(), f"{fig_dir.name}: {f.stem}", css))
    link = lambda f: f'<li><a href="results/{fig_dir.name}/{f.stem}.html">{html.escape(f.stem)}</a></li>'
    fig_html = "".join(f'<figure><a href="results/{fig_dir.name}/{f.name}"><img src="results/{fig_dir.name}/{f.name}" loading="lazy" '
                       f'alt="{f.stem}"></a><figcaption>{html.escape(f.stem)}</figcaption></figure>' for f in figs)
    rec_html = "".join(f'<li><a href="results/{fig_dir.name}/data/{f.name}">{html.escape(f.stem)}</a></li>' for f in recs)
    return (f'<h3>The <code>{fig_dir.name}</code> chain</h3><p>{sum(f.stem != "summary" for f in recs)} stage records '
            f'(<code>data/results/{fig_dir.name}/</code>), its tables and claims (<code>figures/{fig_dir.name}/</code>).</p>'
            f'<ul class="vfm-cols">{"".join(map(link, pages))}</ul><div class="vfm-figs">{fig_html}</div>'
            + (f'<details><summary>stage records</summary><ul class="vfm-cols">{rec_html}</ul></details>' if recs else ""))

def inline_code(text):
    "Escape `text` for HTML, with its `backtick` spans as <code>."
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))

def write_index(out, rows, results, meta, css):
    tpl = (DOCS/"index.html.tpl").read_text()
    def item(r):
        took = f" &middot; {r['seconds']:.0f} s" if r["seconds"] else ""
        name = f'<b>{html.escape(r["title"] or r["stem"])}</b>'
        err = f'<br><code class="vfm-err">{html.escape(r["msg"])}</code>' if r["status"] in ("failed", "timed out") and r["msg"] else ""
        link = name if r["status"] == "not built" else f'<a href="{r["stem"]}.html">{name}</a>'
        return (f'<li class="vfm-{r["status"].replace(" ", "-")}">{link}'
                f' <span class="vfm-status">{html.escape(r["status"])}{took}</span><br><span class="vfm-sub">{inline_code(r["subtitle"])}</span>'
                f'<span class="vfm-file">nbs/{r["stem"]}.ipynb</span>{err}</li>')
    page = tpl.replace("{{chapters}}", "".join(map(item, rows))).replace("{{results}}", results).replace("{{meta}}", meta)
    (out/"index.html").write_text(page); (out/"site.css").write_text(css)

# ---------------------------------------------------------------- main
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="_site", help="output folder (git-ignored)")
    ap.add_argument("--only", default="", help="comma-separated notebook stems, e.g. 00_core,01a_runs")
    ap.add_argument("--no-execute", action="store_true", help="render the committed notebooks without running them")
    ap.add_argument("--rerender", action="store_true",
                    help="re-render the notebooks already executed in --out (after a style change), running nothing")
    ap.add_argument("--flags", default="", help="space-separated test flags to run anyway (as nbdev_test --flags)")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per notebook")
    ap.add_argument("--mathjax", default="", help="MathJax 2 URL (default: nbconvert's CDN); 'local' = Debian's libjs-mathjax, "
                    "for reading offline on this machine")
    ap.add_argument("--nbs", default=str(NBS), help="folder of the notebooks (default: nbs/)")
    ap.add_argument("--_execute", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--_skip", default="", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a._execute:
        return execute_one(Path(a._execute[0]), Path(a._execute[1]), [f for f in a._skip.split(",") if f], a.timeout)

    import nbformat
    nbs_dir = Path(a.nbs).resolve()
    skip_flags = [f for f in default_flags() if f not in a.flags.split()]
    nbs = sorted(nbs_dir.glob("*.ipynb"))
    if a.only:
        want = [s.strip().removesuffix(".ipynb") for s in a.only.split(",") if s.strip()]
        unknown = sorted(set(want) - {p.stem for p in nbs})
        if unknown: sys.exit(f"docs/build.py: no notebook {nbs_dir/unknown[0]}.ipynb (have: {', '.join(p.stem for p in nbs)})")
        nbs = [p for p in nbs if p.stem in want]
    out = (ROOT/a.out if not Path(a.out).is_absolute() else Path(a.out)); (out/"executed").mkdir(parents=True, exist_ok=True)
    css = (DOCS/"site.css").read_text()
    mathjax = a.mathjax
    if mathjax == "local":
        local = Path("/usr/share/javascript/mathjax/MathJax.js")
        if not local.exists(): sys.exit("docs/build.py: --mathjax local needs Debian's libjs-mathjax (apt-get install libjs-mathjax)")
        mathjax = local.as_uri() + "?config=TeX-AMS_CHTML-full,Safe"
    env = {**os.environ, "HF_HUB_OFFLINE": os.environ.get("HF_HUB_OFFLINE", "1"),
           "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE")}
    if "VFMVAE_DATA" not in env and (ROOT.parent/"shared"/"data").is_dir(): env["VFMVAE_DATA"] = str(ROOT.parent/"shared"/"data")

    t_all, rows = time.time(), []
    for src in nbs:
        dst = out/"executed"/src.name
        if a.rerender and dst.exists():
            prev = json.loads((out/"chapters.json").read_text()) if (out/"chapters.json").exists() else []
            r = next((r for r in prev if r["stem"] == src.stem), dict(status="not executed", seconds=0.0, msg=""))
            status, dt, msg = r["status"], r["seconds"], r["msg"]
        elif a.no_execute or a.rerender: status, dt, msg = "not executed", 0.0, ""; shutil.copy2(src, dst)
        else:
            print(f"[docs] {src.name} ...", end=" ", flush=True)
            status, dt, msg = run_child(src, dst, skip_flags, a.timeout, env)
            print(f"{status} in {dt:.0f} s {msg}", flush=True)
            if not dst.exists(): shutil.copy2(src, dst)
        nb = nbformat.read(dst, as_version=4)
        t, s = title_of(nb)
        rows.append(dict(stem=src.stem, title=t, subtitle=s, status=status, seconds=dt, msg=msg, nb=nb))
    all_stems = [(p.stem, title_of(nbformat.read(p, as_version=4))[0]) for p in sorted(nbs_dir.glob("*.ipynb"))]
    for r in rows:
        i = [s for s, _ in all_stems].index(r["stem"])
        prev, nxt = (all_stems[i-1] if i else None), (all_stems[i+1] if i + 1 < len(all_stems) else None)
        banner = {"ok": "", "not executed": '<div class="vfm-banner">Rendered without running (<code>--no-execute</code>): no outputs.</div>',
                  "failed": f'<div class="vfm-banner vfm-bad">This notebook FAILED in this build: {html.escape(r["msg"])} '
                            f'(rendered up to the error)</div>',
                  "timed out": f'<div class="vfm-banner vfm-bad">This notebook timed out in this build ({html.escape(r["msg"])}); '
                               f'rendered up to there.</div>'}[r["status"]]
        (out/f'{r["stem"]}.html').write_text(render(tidy(r["nb"], skip_flags), r["title"] or r["stem"], nav(prev, nxt), banner, css, mathjax))
    # keep earlier chapters of a partial (--only) build in the index
    old = {}
    if (a.only or a.rerender) and (out/"chapters.json").exists(): old = {r["stem"]: r for r in json.loads((out/"chapters.json").read_text())}
    old.update({r["stem"]: {k: v for k, v in r.items() if k != "nb"} for r in rows})
    table = [old[s] for s, _ in all_stems if s in old]
    listed = table + [dict(stem=s, title=t, subtitle=title_of(nbformat.read(nbs_dir/f"{s}.ipynb", as_version=4))[1],
                           status="not built", seconds=0.0, msg="") for s, t in all_stems if s not in old]
    listed.sort(key=lambda r: [s for s, _ in all_stems].index(r["stem"]))
    (out/"chapters.json").write_text(json.dumps(table, indent=1))
    took = time.time() - t_all
    mode = "rendered without execution" if a.no_execute else "re-rendered from the last execution" if a.rerender else f"executed, skipping cells flagged {', '.join('#| ' + f for f in skip_flags) or '(none)'}"
    meta = (f'Built {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())} from git {git_rev()}: {len(rows)} notebook(s) {mode} '
            f'in {took:.0f} s.')
    if a.rerender and (out/"build.json").exists():
        meta = json.loads((out/"build.json").read_text())["meta"] + f' Re-rendered {time.strftime("%H:%M UTC", time.gmtime())}.'
    else: (out/"build.json").write_text(json.dumps({"meta": meta}))
    write_index(out, listed, copy_results(out, css), meta, css)
    bad = [r for r in rows if r["status"] in ("failed", "timed out")]
    print(f"[docs] {len(rows)} notebook(s) in {took:.0f} s -> {out/'index.html'}"
          + (f"; FAILED: {', '.join(r['stem'] + ' (' + r['status'] + ')' for r in bad)}" if bad else ""))
    return 1 if bad else 0

def git_rev():
    try: return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip() or "?"
    except OSError: return "?"

if __name__ == "__main__": sys.exit(main())
