# Two commands for a new user: `make` (set up, run the pipeline, print the report's path) and
# `make test`. Everything is installed into .venv; nothing is registered outside it.
SHELL := /bin/bash
.DEFAULT_GOAL := all

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
SHARED := ../shared/data/reference
EXT    := data/external
WAVES  := 2019 2023
RAW    := $(foreach w,$(WAVES),data/raw/synthetic_skr_infosak_$(w).csv)
GENERATOR := $(wildcard src/analysis/synthetic/*.py) src/analysis/base/codebook.py src/analysis/base/waves.py src/analysis/base/waves.yaml \
	src/analysis/base/codebook.yaml src/analysis/base/codebook_2023.yaml
REFERENCE_FILES := kommuner_2019_reference.csv municipalities.csv counties.csv \
	skr_kommungruppsindelning_2017.csv scb_folkmangd_kommun_1950_2019.csv \
	swedish_regions.geojson swedish_municipalities.geojson published_series.csv SOURCES.md

.PHONY: all setup reference git-filter data run test test-fast lab bench clean lock
all: run

# --- environment: created once, reinstalled only when the lock or pyproject changes ----------
$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock pyproject.toml | $(PY)
	@echo "installing the pinned environment into $(VENV) (requirements.lock)"
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (analysis .venv)" >/dev/null
	@touch $(STAMP)

setup: $(STAMP) reference git-filter

# --- git stores notebooks without outputs, whatever JupyterLab saved: nbstripout as a clean filter
# (attributes in .gitattributes). It keeps cell ids and drops outputs, execution counts, widget
# state and language_info, so Run All + save leaves `git status` clean. The command is relative:
# git runs it at the top of the work tree, so every clone or worktree uses its own .venv.
NBSTRIPOUT := .venv/bin/python -m nbstripout --keep-id --extra-keys "metadata.language_info cell.metadata.jp-MarkdownHeadingCollapsed"
git-filter: | $(STAMP)
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  git config filter.nbstripout.clean '$(NBSTRIPOUT)' && \
	  git config filter.nbstripout.smudge cat && \
	  git config filter.nbstripout.required true && \
	  git config diff.ipynb.textconv '$(NBSTRIPOUT) -t'; \
	fi

# --- reference data: linked from ../shared, never copied into git ---------------------------
reference: | $(STAMP)
	@mkdir -p $(EXT)
	@for f in $(REFERENCE_FILES); do \
	  if [ ! -e "$(EXT)/$$f" ] && [ -e "$(SHARED)/$$f" ]; then ln -sfn "$$(realpath $(SHARED)/$$f)" "$(EXT)/$$f"; fi; \
	done
	@$(PY) -m analysis check-reference $(EXT)

# --- the default input: the synthetic exports of both waves (2023 is a panel on 2019), generated
# when absent or when their generator, codebooks or the public record changed
data/raw/synthetic_skr_infosak_2019.csv: $(GENERATOR) | setup
	$(PY) -m analysis synthesize --wave 2019 --out $@

data/raw/synthetic_skr_infosak_2023.csv: $(GENERATOR) $(wildcard $(EXT)/published_series.csv) | setup
	$(PY) -m analysis synthesize --wave 2023 --out $@

data: $(RAW)

# Wave by wave, earliest first: 05_compare of a wave reads the processed data of the one before.
run: setup data
	@for w in $(WAVES); do $(PY) -m analysis run -p wave=$$w || exit $$?; done

test: setup
	$(PY) -m pytest

# The unit tests only (marked `unit` centrally in tests/conftest.py): no kernels, CLI or runner, no
# browser, no R, no end-to-end runs, no simulation. The plugins off are ones no unit test uses.
# `-n auto --dist worksteal`: pytest-xdist, one worker per core, idle workers taking tests from busy
# ones (each worker imports the stack once, ~4 s); unit tests share no folder, only tmp_path.
# PYTHONDONTWRITEBYTECODE is cleared so the compiled package and the assertion-rewritten test
# modules are cached in __pycache__ (otherwise each process recompiles them: ~1.5 s a worker).
# `make test` runs in one process.
FAST_PYTEST := -q -m unit -p no:faker -p no:anyio -p no:typeguard -n auto --dist worksteal
test-fast: setup
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest $(FAST_PYTEST)

# JupyterLab at the project root on 127.0.0.1 with a token (prints the URL); notebooks run there
# write to scratch/<wave>/, never to the official results.
lab: setup data
	$(PY) -m analysis lab

# The targets of issue 16 (floor, cold and no-op run, 1M-row export, test-fast, children), written
# to BENCHMARKS.md. bench_clean.py and bench_estimation.py (scaling tables) run on their own.
bench: setup data
	$(PY) benchmarks/bench_pipeline.py

# Recompile the lock from pyproject.toml (needs network; developers only).
lock: | $(PY)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 --no-header --annotation-style line -o requirements.lock

clean:
	rm -rf data/processed/* data/processed/.[!.]* reports/* reports/.[!.]* $(EXT)/* scratch .pytest_cache
	find . -path ./.venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	@touch data/processed/.gitkeep reports/.gitkeep $(EXT)/.gitkeep
