#!/usr/bin/env bash
# Usage: tools/dist_train.sh CONFIG GPUS [train.py args]
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT. Without CUDA, GPUS is the number of
# CPU processes (tools/train.py switches to the gloo backend).
CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
TOOLS="$(cd "$(dirname "$0")" && pwd)"
# torchrun, run by the project's venv Python (.venv/bin/python next to tools/) unless PYTHON is
# set; python3 if there is no venv.
if [ -z "$PYTHON" ]; then
    if [ -x "$TOOLS/../.venv/bin/python" ]; then PYTHON="$TOOLS/../.venv/bin/python"; else PYTHON=python3; fi
fi

# exec: torchrun replaces this shell, so a signal sent to the launcher (SIGTERM, SIGINT) reaches
# torchrun, which stops its workers.
PYTHONPATH="$TOOLS/..":$PYTHONPATH \
exec "$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$TOOLS/train.py" \
    "$CONFIG" \
    --launcher pytorch "${@:3}"
