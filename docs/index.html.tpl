<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>vfmvae — the chapters</title><link rel="stylesheet" href="site.css"></head>
<body class="vfm-page">
<h1>vfmvae</h1>
<p class="vfm-lead">A notebook-first re-implementation of VFM-VAE: vision foundation models as tokenizers for latent
diffusion. Each chapter below is a notebook of <code>nbs/</code>, executed and rendered with its outputs.</p>
<p class="vfm-note">How this site is made: <code>make docs</code> runs <code>docs/build.py</code>, which executes every
notebook with the default test flags (cells marked <code>#| slow</code> or <code>#| gpu</code> are shown but not run,
as in <code>nbdev_test</code>) and renders it with nbconvert. The executed notebooks exist only in this build folder:
the repository commits its notebooks <em>without outputs</em> (the project's tests require clean notebooks, and
<code>nbdev_export</code> is unaffected by a docs build). {{meta}}</p>
<h2>Chapters</h2>
<ol class="vfm-chapters">{{chapters}}</ol>
{{results}}
</body></html>
