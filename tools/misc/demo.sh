#!/usr/bin/env bash
# `make demo`: CMID self-supervised pretraining on real NEON aerial RGB tiles (deepforest package),
# on CPU, then a summary of the losses from the run's own log.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
CFG=configs/cmid/cmid_resnet18_1xb16-adan-200i_neon-demo.py
WORK=${DEMO_WORK_DIR:-work_dirs/demo/cmid_pretrain}

"$PY" tools/misc/prepare_demo_data.py --out data/neon_demo
rm -rf "$WORK"
"$PY" tools/train.py "$CFG" --work-dir "$WORK" ${DEMO_CFG_OPTIONS:+--cfg-options $DEMO_CFG_OPTIONS}
"$PY" tools/analysis/loss_summary.py "$WORK"
