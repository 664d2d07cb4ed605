#!/usr/bin/env bash
# Usage: tools/dist_train.sh CONFIG GPUS [train.py args] (torchrun: see tools/dist_launch.sh)
# exec keeps the launcher's pid, so a signal sent to it reaches torchrun.
exec bash "$(dirname "$0")/dist_launch.sh" train.py "$2" "$1" "${@:3}"
