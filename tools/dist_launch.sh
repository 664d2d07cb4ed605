#!/usr/bin/env bash
# Usage: tools/dist_launch.sh SCRIPT NPROC [SCRIPT args]: torchrun of tools/SCRIPT (train.py,
# test.py) in NPROC processes per node, with --launcher pytorch; dist_train.sh / dist_test.sh
# call it. Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT. Without CUDA, NPROC is the
# number of CPU processes (the tools switch to the gloo backend).
SCRIPT=$1
NPROC=$2
shift 2
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
    --nproc_per_node="$NPROC" \
    --master_port="$PORT" \
    "$TOOLS/$SCRIPT" "$@" --launcher pytorch
