#!/usr/bin/env bash
# Usage: tools/dist_test.sh CONFIG CHECKPOINT GPUS [test.py args] (torchrun: see
# tools/dist_launch.sh)
# exec keeps the launcher's pid, so a signal sent to it reaches torchrun.
exec bash "$(dirname "$0")/dist_launch.sh" test.py "$3" "$1" "$2" "${@:4}"
