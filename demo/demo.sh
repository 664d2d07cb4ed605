#!/usr/bin/env bash
# `make demo`: everything on CPU, on real remote-sensing data shipped in PyPI packages, one domain
# (NEON 10 cm aerial RGB, deepforest) from pretraining to evaluation.
#   1. pretrain: CMID self-supervised pretraining on unlabelled NEON tiles (the 64 px CPU recipe),
#      losses against their chance levels, kNN on held-out labelled NEON-site tiles vs random init
#   2. downstream: tree-crown detection fine-tuned from that backbone vs random init, 2 seeds each
#   3. summary: the first screen to read (also work_dirs/demo/summary.md)
#   not in the default steps (their CPU time would push the demo past ~30 min):
#   cd: change detection (BIT) on NEON pairs with synthetic, labelled changes, 2 seeds each;
#   oriented: Oriented R-CNN on NEON patches rotated by random angles, CMID vs random init;
#   ablation: random init vs CMID global branch alone vs full CMID at the 128 px demo budget
#      (the equal-budget SSL benchmark, tools/analysis_tools/ssl_benchmark.py, is the fuller one)
# DEMO_STEPS (default "pretrain downstream summary") picks the steps.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
WORK=${DEMO_WORK_DIR:-work_dirs/demo}
STEPS=${DEMO_STEPS:-pretrain downstream summary}
CKPT="$WORK/cmid_pretrain/iter_500.pth"

step() { [[ " $STEPS " == *" $1 "* ]]; }

if step pretrain; then
  echo "== 1. CMID pretraining (unlabelled NEON aerial tiles)"
  rm -rf "$WORK/cmid_pretrain"
  "$PY" demo/demo_pretrain.py --work-dir "$WORK/cmid_pretrain"
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
  echo "== 2b. change detection: CMID vs random init"
  "$PY" demo/demo_change_detection.py "$CKPT" --work-dir "$WORK/change_detection"
fi
if step oriented; then
  echo "== 3b. oriented tree detection (rotated NEON patches): CMID vs random init"
  "$PY" demo/demo_oriented_detection.py "$CKPT" --work-dir "$WORK/oriented_detection"
fi
if step ablation; then
  echo "== 3c. ablation: random init vs global branch only vs full CMID (128 px demo budget)"
  "$PY" demo/demo_report.py "$WORK/cmid_pretrain" --out "$WORK"
fi
if step summary; then
  "$PY" demo/demo_summary.py --work-dir "$WORK"
fi
