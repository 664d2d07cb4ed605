# cmid_mm — the two commands: `make demo` and `make test` (each sets everything up first).
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: setup test demo demo-multispectral ssl-benchmark clean-venv

## Create .venv with the pinned OpenMMLab stack + mmcv ops (cached wheel) + cmid_mm. Idempotent.
setup:
	bash tools/install/setup_env.sh

## Set up, then run the test suite. pytest's "no tests collected" (exit 5) is a failure here.
test: setup
	@$(PY) -m pytest tests $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi; exit $$rc

## Set up, then run the demo on real remote-sensing data (CPU, a few minutes).
demo: setup
	bash demo/demo.sh

## Multispectral path: 6-band Landsat-7 CMID pretraining, land-cover segmentation, GeoTIFF scene map.
demo-multispectral: setup
	bash demo/demo_multispectral.sh $(wildcard work_dirs/demo/cmid_pretrain/iter_500.pth)

## Set up, then the equal-budget SSL benchmark (configs/ssl_benchmark/README.md; resumable).
ssl-benchmark: setup
	[ -d data/neon_demo_128px/tiles ] || $(PY) demo/prepare_demo_data.py --out data/neon_demo_128px --tile 128
	[ -f data/rs_knn/neon_sites/val.txt ] || $(PY) demo/prepare_knn_data.py --out data/rs_knn
	OMP_NUM_THREADS=2 $(PY) tools/analysis_tools/ssl_benchmark.py $(SSL_BENCHMARK_ARGS)

clean-venv:
	rm -rf $(VENV)
