"""Config handling shared by ``tools/train.py`` and ``tools/test.py``.

The tools work for any mmengine-Runner library (mmpretrain, mmseg, mmdet: the config's
``default_scope`` picks it). User mistakes (a missing file, a mistyped ``--cfg-options`` key) are
reported as one ``error: ...`` line with exit code 2 instead of a traceback.
"""
import datetime
import difflib
import inspect
import os
import pickle
import os.path as osp
import sys

import torch
from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from ..checkpoint import CheckpointError

# The top level of a config holds the Runner's kwargs, so these may be added even if absent.
_RUNNER_KEYS = (set(inspect.signature(Runner.__init__).parameters) - {'self', 'cfg'}) | {
    'runner_type', 'model_wrapper_cfg', 'find_unused_parameters', 'sync_bn', 'compile'
}


class CLIError(ValueError):
    """A user error that a tool reports as one ``error: ...`` line (exit code 2)."""


def check_cfg_options(cfg, options):
    """Check that every ``--cfg-options`` key names something in ``cfg``.

    ``Config.merge_from_dict`` silently adds unknown keys, so a typo would be ignored and the run
    would use the config value. Every component of a key but the last must exist (a dict key, or an
    integer index into a list); the last must exist too unless its parent dict has a ``type`` (a
    registry-built component, whose kwargs are open) or it is a top-level key the Runner reads.

    Args:
        cfg (Config | dict): The loaded config.
        options (dict): ``--cfg-options`` as parsed by :class:`mmengine.config.DictAction`.

    Raises:
        CLIError: Naming the bad key and close matches at its level.
    """
    root = cfg.to_dict() if isinstance(cfg, Config) else cfg
    for key in options:
        node, parts = root, key.split('.')
        prefix = f"unknown --cfg-options key '{key}':"
        for depth, part in enumerate(parts):
            where = '.'.join(parts[:depth]) or 'the config'
            if isinstance(node, list):
                # merge_from_dict indexes lists with non-negative integer keys only.
                if not (part.isdigit() and int(part) < len(node)):
                    raise CLIError(f"{prefix} {where} is a list of length {len(node)}, "
                                   f"'{part}' is not an index into it")
                node = node[int(part)]
            elif isinstance(node, dict):
                if part in node:
                    node = node[part]
                    continue
                if depth == len(parts) - 1 and ('type' in node or
                                                (depth == 0 and part in _RUNNER_KEYS)):
                    break
                known = [str(k) for k in node]
                if depth == 0:
                    known += sorted(_RUNNER_KEYS - set(node))
                close = difflib.get_close_matches(part, known, n=3)
                hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ''
                raise CLIError(f"{prefix} no '{part}' in {where}{hint}")
            else:
                raise CLIError(
                    f'{prefix} {where} is not a dict or list (type {type(node).__name__})')


def load_config(path, cfg_options=None):
    """Load a config file, checking ``cfg_options`` keys against it (not merged yet)."""
    if not osp.isfile(path):
        raise CLIError(f'config file not found: {path}')
    cfg = Config.fromfile(path)
    if cfg_options:
        check_cfg_options(cfg, cfg_options)
    return cfg


def add_common_args(parser):
    """Arguments shared by the train and test tools."""
    parser.add_argument('--work-dir', help='the dir to save logs, checkpoints and metrics')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, e.g. train_cfg.max_iters=100; every key must '
        'exist in the config (checked before anything is built)')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm'], default='none', help='job launcher')
    # torch.distributed.launch passes --local-rank (torch >= 2.0) or --local_rank.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser


def setup_cli_cfg(cfg, args):
    """Apply the shared command-line settings; ``--cfg-options`` are merged last so they win."""
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    cfg.launcher = args.launcher
    # work_dir priority: CLI > config > ./work_dirs/<config stem>
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if args.launcher != 'none' and not torch.cuda.is_available():
        _setup_cpu_distributed(cfg, args.launcher)
    return cfg


def _setup_cpu_distributed(cfg, launcher):
    """Make a distributed run work without CUDA: gloo, no ``torch.cuda.set_device``, CPU DDP."""
    if launcher == 'slurm':
        # mmengine's slurm init derives the local rank from the GPU count (0 here).
        raise CLIError('--launcher slurm needs CUDA GPUs; for CPU runs use --launcher pytorch '
                       '(tools/dist_train.sh)')
    dist_cfg = cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    dist_cfg['backend'] = 'gloo'
    # mmengine's init_dist calls torch.cuda.set_device, which fails without a GPU; the Runner skips
    # it when the process group already exists.
    if not torch.distributed.is_initialized():
        kwargs = dict(dist_cfg)
        if kwargs.get('timeout') is not None:
            kwargs['timeout'] = datetime.timedelta(seconds=kwargs['timeout'])
        torch.distributed.init_process_group(**kwargs)
    # The Runner's default DDP wrapper passes device_ids=[LOCAL_RANK], which DDP rejects for CPU
    # modules.
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(
            type='MMDistributedDataParallel',
            device_ids=None,
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))


def build_runner(cfg):
    """Build the Runner: a custom one from RUNNERS when ``runner_type`` is set, else mmengine's."""
    return RUNNERS.build(cfg) if 'runner_type' in cfg else Runner.from_cfg(cfg)


def run_cli(main):
    """Run a tool's ``main``, reporting :class:`CLIError` as one line with exit code 2, and a
    checkpoint refused by the weights-only unpickler as one line with exit code 1."""
    try:
        return main()
    except (CLIError, CheckpointError) as e:
        print(f'error: {e}', file=sys.stderr)
        sys.exit(2)
    except pickle.UnpicklingError as e:
        # torch names the offending global ("Unsupported global: GLOBAL posix.system") in the
        # lines of its message; nothing from the file was executed.
        reason = next((line.strip() for line in str(e).splitlines() if 'GLOBAL' in line),
                      str(e).splitlines()[0])
        print(f'error: refused to load a checkpoint: it holds an object outside the weights-only '
              f'allow-list ({reason}); nothing in it was executed', file=sys.stderr)
        sys.exit(1)
