"""The command-line layer of every tool in ``tools/``: :func:`run_cli` (the one path from a user
error to its ``error: ...`` line), :func:`load_config` (the one place that checks and merges
``--cfg-options``), and the train / test tools' Runner set-up.

The train / test tools work for any mmengine-Runner library (mmpretrain, mmseg, mmdet: the config's
``default_scope`` picks it). User mistakes are reported as one ``error: ...`` line naming the
file or key and the fix, with exit code 2, instead of a traceback (``--debug`` shows it): a missing
or unparsable config, a mistyped ``--cfg-options`` key (checked against the config and the
signatures of the loop / registry-built classes) or a value of the wrong type, a missing data
folder or annotation file, a work dir that is a file or not writable (all checked before the
Runner prints its environment dump), a dataset that cannot be built or has no samples, a corrupt
input image, a full disk or a permission error naming a file.
"""
import ast
import datetime
import difflib
import errno
import inspect
import os
import os.path as osp
import pickle
import re
import sys
import tempfile
import warnings

import torch
from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from ..checkpoint import CheckpointError, add_checkpoint_fit_hook

# The top level of a config holds the Runner's kwargs, so these may be added even if absent.
_RUNNER_KEYS = (set(inspect.signature(Runner.__init__).parameters) - {'self', 'cfg'}) | {
    'runner_type', 'model_wrapper_cfg', 'find_unused_parameters', 'sync_bn', 'compile',
    'load_strict', 'load_allow_missing'  # read by build_runner (cmid_mm.checkpoint.fit)
}


class CLIError(ValueError):
    """A user error that a tool reports as one ``error: ...`` line (exit code 2)."""


def check_cfg_options(cfg, options):
    """Check every ``--cfg-options`` key (and value type) against ``cfg``.

    ``Config.merge_from_dict`` silently adds unknown keys, so a typo would be ignored and the run
    would use the config value. Every component of a key but the last must exist (a dict key, or an
    integer index into a list). The last must exist too, unless it is a top-level key the Runner
    reads, an argument of the train/val/test loop (``train_cfg`` etc.: ``IterBasedTrainLoop`` or
    ``EpochBasedTrainLoop`` by ``by_epoch``), or an argument of a registry-built component (a dict
    with ``type``): its class is looked up through the config's ``default_scope`` registries and
    the key must be a parameter of its ``__init__``, unless that takes ``**kwargs`` or the type
    cannot be resolved. A new value for an existing number or bool must not be a string (a typo
    such as ``max_iters=2O``).

    Args:
        cfg (Config | dict): The loaded config.
        options (dict): ``--cfg-options`` as parsed by :class:`mmengine.config.DictAction`.

    Raises:
        CLIError: Naming the bad key and close matches at its level.
    """
    root = cfg.to_dict() if isinstance(cfg, Config) else cfg
    scope = root.get('default_scope')
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
                last = depth == len(parts) - 1
                if last and depth == 0 and part in _RUNNER_KEYS:
                    break
                known = [str(k) for k in node]
                if depth == 0:
                    known += sorted(_RUNNER_KEYS - set(node))
                accepted, what, built = None, '', True
                if depth == 1 and parts[0] in _LOOP_KEYS and 'type' not in node:
                    by_epoch = options.get(f'{parts[0]}.by_epoch', node.get('by_epoch'))
                    accepted, what = _loop_args(parts[0], by_epoch)
                elif 'type' in node:
                    type_ = options.get('.'.join(parts[:depth] + ['type']), node['type'])
                    accepted, what = _component_args(type_, scope)
                else:
                    built = False
                # None: open kwargs (**kwargs, or a type that cannot be resolved)
                if last and built and (accepted is None or part in accepted):
                    break
                if accepted:
                    known += sorted(accepted - set(node))
                close = difflib.get_close_matches(part, known, n=3)
                hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ''
                takes = f', and {what} takes no such argument' if last and what else ''
                raise CLIError(f"{prefix} no '{part}' in {where}{takes}{hint}")
            else:
                raise CLIError(
                    f'{prefix} {where} is not a dict or list (type {type(node).__name__})')
        else:
            _check_value_type(key, node, options[key])


# Loops the Runner builds from a dict without ``type``, and the arguments it passes itself.
_LOOP_KEYS = ('train_cfg', 'val_cfg', 'test_cfg')
_RUNNER_PASSED = {'self', 'runner', 'dataloader', 'evaluator'}


def _params(obj):
    """Parameter names of a class's ``__init__`` (or a function); None if it takes ``**kwargs``
    or has no readable signature."""
    try:
        params = inspect.signature(obj).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return None
    return {p.name for p in params}


def _loop_args(key, by_epoch):
    from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop, TestLoop, ValLoop
    if key == 'train_cfg':
        loops = {True: [EpochBasedTrainLoop], False: [IterBasedTrainLoop]}.get(
            by_epoch if isinstance(by_epoch, bool) else None,
            [EpochBasedTrainLoop, IterBasedTrainLoop])
        extra = {'by_epoch'}
    else:
        loops, extra = [ValLoop if key == 'val_cfg' else TestLoop], set()
    accepted = set(extra)
    for loop in loops:
        params = _params(loop)
        if params is None:
            return None, ''
        accepted |= params - _RUNNER_PASSED
    return accepted, ' / '.join(loop.__name__ for loop in loops)


def _registries(scope):
    """The registries of ``scope`` (e.g. mmpretrain's, which fall back to mmengine's)."""
    import importlib

    from mmengine import registry as root
    from mmengine.registry import Registry
    modules = []
    if scope:
        try:
            modules.append(importlib.import_module(f'{scope}.registry'))
        except ImportError:
            pass
    modules.append(root)
    return [r for m in modules for r in vars(m).values() if isinstance(r, Registry)]


def _component_args(type_, scope):
    """Arguments a registry-built component of ``type_`` accepts, and its name; (None, '') when
    it takes ``**kwargs`` or cannot be resolved. A type name found in several registries is
    accepted by any of them."""
    if isinstance(type_, str):
        classes = []
        for registry in _registries(scope):
            try:
                obj = registry.get(type_)
            except Exception:  # noqa: BLE001  a bad scope prefix etc.: cannot tell
                obj = None
            if obj is not None and obj not in classes:
                classes.append(obj)
    elif callable(type_):
        classes = [type_]
    else:
        classes = []
    if not classes:
        return None, ''
    accepted = set()
    for obj in classes:
        params = _params(obj)
        if params is None:
            return None, ''
        accepted |= params - {'self'}
    return accepted | {'type', '_scope_'}, getattr(classes[0], '__name__', str(type_))


def _check_value_type(key, old, new):
    """A string where the config has a number or bool is a typo (``max_iters=2O``)."""
    if isinstance(old, (bool, int, float)) and isinstance(new, str):
        expected = 'true or false' if isinstance(old, bool) else (
            'an integer' if isinstance(old, int) else 'a number')
        raise CLIError(f"bad --cfg-options value {key}={new!r}: expected {expected} "
                       f"(the config has {old!r})")


def load_config(path, cfg_options=None, merge=False):
    """Load a config file, checking ``cfg_options`` keys against it; merged into it with
    ``merge`` (the train / test tools merge them last, in :func:`setup_cli_cfg`)."""
    if not osp.isfile(path):
        raise CLIError(f'config file not found: {path}')
    try:
        cfg = Config.fromfile(path)
    except SyntaxError as e:
        # mmengine's ast.parse names no file ('<unknown>'): find which file it was.
        original = e.__context__ if isinstance(e.__context__, SyntaxError) else e
        match = re.search(r'config file (.+?): ', str(e))
        if match:
            where = match.group(1)
        else:
            try:
                with open(path, encoding='utf-8') as f:
                    ast.parse(f.read(), filename=path)
                where = f'a _base_ file of {path}'
            except SyntaxError:
                where = path
        line = f', line {original.lineno}' if original.lineno else ''
        raise CLIError(f'{where}{line}: syntax error ({original.msg}); fix the config file') from e
    except (ImportError, NameError, KeyError, OSError) as e:
        # a bad _base_ path, an undefined name or a bad import in the config
        raise CLIError(f'cannot load the config {path}: {type(e).__name__}: {e}; fix the config '
                       'file') from e
    if cfg_options:
        check_cfg_options(cfg, cfg_options)
        if merge:
            cfg.merge_from_dict(cfg_options)
    return cfg


def add_cfg_options_arg(parser):
    """``--cfg-options``, read by :func:`load_config`."""
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, e.g. train_cfg.max_iters=100; every key must '
        'exist in the config (checked before anything is built)')
    return parser


def add_common_args(parser):
    """Arguments shared by the train and test tools."""
    parser.add_argument('--work-dir', help='the dir to save logs, checkpoints and metrics')
    add_cfg_options_arg(parser)
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm'], default='none', help='job launcher')
    # torch.distributed.launch passes --local-rank (torch >= 2.0) or --local_rank.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    parser.add_argument(
        '--debug',
        action='store_true',
        help='show the full traceback of a user error instead of the one-line message')
    return parser


def setup_amp(cfg, cuda: bool) -> None:
    """What ``tools/train.py --amp`` changes in ``cfg``.

    CUDA: mmengine's ``AmpOptimWrapper`` (fp16 autocast, dynamic loss scaling). CPU: bf16
    autocast (``CPUAutocastOptimWrapper``: mmengine's AmpOptimWrapper refuses the CPU, and bf16
    needs no loss scale), and for CMID pretraining also ``ChannelsLastHook``, where it was
    measured to help. Downstream models are left in NCHW: their heads call mmcv / mmdet CPU ops
    that were not checked on channels-last feature maps.
    """
    if cuda:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
        return
    cfg.optim_wrapper.type = 'CPUAutocastOptimWrapper'
    cfg.optim_wrapper.setdefault('dtype', 'bfloat16')
    if cfg.model.get('type') == 'CMID':
        setup_channels_last(cfg)


def setup_channels_last(cfg) -> None:
    """What ``tools/train.py --channels-last`` changes: ``ChannelsLastHook`` (once) for CMID
    pretraining, also in fp32 (on an AVX-512 CPU it made the fp32 ResNet-50 step 0.81 x as
    long, configs/cmid/README.md run K). Refused for other models, whose mmcv / mmdet heads
    were not checked on channels-last feature maps."""
    if cfg.model.get('type') != 'CMID':
        raise CLIError(f"--channels-last is for CMID pretraining; this config's model is "
                       f"{cfg.model.get('type')!r}: train it without the flag")
    hooks = cfg.get('custom_hooks') or []
    if not any(h.get('type') == 'ChannelsLastHook' for h in hooks):
        cfg.custom_hooks = [*hooks, dict(type='ChannelsLastHook')]


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
    check_work_dir(cfg.work_dir)
    if args.launcher != 'none' and not torch.cuda.is_available():
        _setup_cpu_distributed(cfg, args.launcher)
    return cfg


def check_work_dir(work_dir):
    """Create ``work_dir`` and check that files can be written in it (before the Runner is built,
    so that a bad one is one line, not an environment dump and a traceback)."""
    if '://' in str(work_dir):
        return
    fix = 'pass a writable folder with --work-dir'
    if osp.exists(work_dir) and not osp.isdir(work_dir):
        raise CLIError(f'work dir {work_dir} is a file, not a folder: remove it or {fix}')
    try:
        os.makedirs(work_dir, exist_ok=True)
        with tempfile.TemporaryFile(dir=work_dir):
            pass
    except OSError as e:
        raise CLIError(f'work dir {work_dir} is not writable ({e.strerror}): {fix}') from e


def _dataset_cfgs(cfg, where):
    """(where, dataset dict) for a dataset config and the datasets a wrapper holds."""
    if not isinstance(cfg, dict):
        return
    yield where, cfg
    if isinstance(cfg.get('dataset'), dict):
        yield from _dataset_cfgs(cfg['dataset'], f'{where}.dataset')
    for i, sub in enumerate(cfg.get('datasets') or []):
        yield from _dataset_cfgs(sub, f'{where}.datasets.{i}')


def _local(path):
    return isinstance(path, str) and path != '' and '://' not in path


def check_data_paths(cfg, loaders):
    """Check that the ``data_root``, ``data_prefix`` folders and ``ann_file`` of the datasets of
    the dataloaders ``loaders`` (e.g. ``('train_dataloader',)``) exist, joined as mmengine's
    BaseDataset joins them. Datasets that may download their data are not checked.

    Raises:
        CLIError: Naming the config key and the missing path.
    """
    scope = cfg.get('default_scope')
    for name in loaders:
        loader = cfg.get(name)
        if not isinstance(loader, dict):
            continue
        for where, ds in _dataset_cfgs(loader.get('dataset'), f'{name}.dataset'):
            backend = (ds.get('backend_args') or {}).get('backend', 'local')
            if 'type' not in ds or backend != 'local' or ds.get('download'):
                continue
            if ds.get('download') is None and isinstance(ds['type'], str):
                accepted, _ = _component_args(ds['type'], scope)
                if accepted and 'download' in accepted:
                    continue  # e.g. CIFAR10, which downloads by default
            root = ds.get('data_root') or ''
            fix = 'fix the path in the config or with --cfg-options'
            if _local(root) and not osp.isdir(root):
                raise CLIError(f'{where}.data_root: folder not found: {root}; {fix}')
            join = (lambda p: p if osp.isabs(p) or not root else osp.join(root, p))
            prefix = ds.get('data_prefix')
            prefixes = prefix.items() if isinstance(prefix, dict) else [(None, prefix)]
            for sub, value in prefixes:
                key = f'{where}.data_prefix' + (f'.{sub}' if sub else '')
                if _local(value) and not osp.exists(join(value)):
                    raise CLIError(f'{key}: not found: {join(value)}; {fix}')
            ann = ds.get('ann_file')
            if _local(ann) and not osp.exists(join(ann)):
                raise CLIError(f'{where}.ann_file: file not found: {join(ann)}; {fix}')


def _check_built_datasets(runner):
    """Make a dataloader whose dataset cannot be built or is empty fail with one line naming it.

    The Runner builds its dataloaders lazily (in ``train()`` / ``test()``) through
    ``runner.build_dataloader``; this wraps it on the instance.
    """
    build = runner.build_dataloader

    def checked(dataloader, *args, **kwargs):
        if not isinstance(dataloader, dict):
            return build(dataloader, *args, **kwargs)
        name = next((n for n in ('train_dataloader', 'val_dataloader', 'test_dataloader')
                     if getattr(runner, f'_{n}', None) is dataloader), 'dataloader')
        ds = dataloader.get('dataset') or {}
        what = ds.get('type', 'dataset') if isinstance(ds, dict) else type(ds).__name__
        root = ds.get('data_root') if isinstance(ds, dict) else None
        where = f'{name}.dataset ({what}' + (f', data_root={root}' if root else '') + ')'
        try:
            loader = build(dataloader, *args, **kwargs)
        except (CLIError, CheckpointError):
            raise
        except (RuntimeError, ValueError, AssertionError, OSError, KeyError) as e:
            if '--debug' in sys.argv[1:]:
                raise
            reason = (str(e).strip().splitlines() or [type(e).__name__])[0]
            raise CLIError(f'{where}: cannot build it: {reason}; check the dataset settings '
                           '(--debug shows the traceback)') from e
        try:
            empty = len(loader.dataset) == 0
        except TypeError:  # an iterable dataset
            empty = False
        if empty:
            raise CLIError(f'{where} has no samples; check data_root, data_prefix and ann_file')
        return loader

    runner.build_dataloader = checked


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


def build_runner(cfg, load_scope=None):
    """Build the Runner (a custom one from RUNNERS when ``runner_type`` is set, else mmengine's)
    and check any checkpoint it loads: the weights under ``load_scope`` must all load (None: the
    backbone for a fine-tune start from ``load_from``, the whole model when testing or
    resuming). ``load_strict=False`` /
    ``load_allow_missing=[patterns]`` at the config's top level relax it."""
    runner = RUNNERS.build(cfg) if 'runner_type' in cfg else Runner.from_cfg(cfg)
    add_checkpoint_fit_hook(runner, load_scope, cfg.get('load_strict', True),
                            list(cfg.get('load_allow_missing', [])))
    _check_built_datasets(runner)
    return runner


def _image_file_error(e):
    """The one-line message of a bad input file; a DataLoader worker re-raises it with the
    worker's traceback in the text, whose last line holds the original message."""
    lines = [line for line in str(e).strip().splitlines() if line.strip()]
    if len(lines) > 1 and 'Original Traceback' in str(e):
        return re.sub(r'^[\w.]*ImageFileError: ', '', lines[-1].strip())
    return lines[0] if lines else type(e).__name__


def _os_error(e):
    """One line for an OSError of the environment (disk full, permissions), else None."""
    name = f' {e.filename}' if e.filename else ''
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return (f'no space left on the device while writing{name}: free some space or pass '
                'another --work-dir')
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS) and e.filename:
        return f'{e.filename}: {e.strerror}: check its permissions or pass another --work-dir'
    return None


def _one_line(e):
    """The one-line message of a user error; a checkpoint refused by torch's weights-only
    unpickler outside the one loader gets the loader's wording."""
    if isinstance(e, pickle.UnpicklingError) and not isinstance(e, CheckpointError):
        # torch names the offending global ("Unsupported global: GLOBAL posix.system") in the
        # lines of its message; nothing from the file was executed.
        reason = next((line.strip() for line in str(e).splitlines() if 'GLOBAL' in line),
                      (str(e).splitlines() or [type(e).__name__])[0])
        return (f'refused to load a checkpoint: it holds an object outside the weights-only '
                f'allow-list ({reason}); nothing in it was executed')
    if isinstance(e, KeyError) and e.args:  # str() of a KeyError quotes its message
        return str(e.args[0])
    return str(e).strip()


def run_cli(main, user_errors=()):
    """Run a tool's ``main``, reporting a user error as one ``error: ...`` line (exit code 2):
    :class:`CLIError`, a checkpoint that cannot be used (:class:`CheckpointError`, or refused by
    the weights-only unpickler), an exception of ``user_errors`` (the types a tool's library
    calls raise for bad input, with messages naming the file and the fix), a bad input image, a
    full disk or a permission error naming a file. ``--debug`` on the command line shows the
    traceback instead."""
    from ..datasets.transforms.checked_loading import ImageFileError  # not at import: ground floor
    debug = '--debug' in sys.argv[1:]
    # mmengine imports pkg_resources when the registries load; its deprecation note is noise
    # between the user and the one line that matters
    warnings.filterwarnings('ignore', message='pkg_resources is deprecated', category=UserWarning)
    try:
        return main()
    except ImageFileError as e:
        if debug:
            raise
        print(f'error: bad input file: {_image_file_error(e)}; fix or remove it, or set '
              "on_error='skip' in CheckedLoadImageFromFile", file=sys.stderr)
        sys.exit(2)
    except (CLIError, CheckpointError, pickle.UnpicklingError, *user_errors) as e:
        if debug:
            raise
        print(f'error: {_one_line(e)}', file=sys.stderr)
        sys.exit(2)
    except OSError as e:
        message = _os_error(e)
        if debug or message is None:
            raise
        print(f'error: {message}', file=sys.stderr)
        sys.exit(2)


# glibc's mallopt parameters (malloc.h) and the values set by keep_freed_memory
_MALLOPT_KEEP = ((-4, 0),  # M_MMAP_MAX: no mmap for large blocks, all from the heap
                 (-1, 2**31 - 1),  # M_TRIM_THRESHOLD: never give the heap's top back
                 (-2, 2**30))  # M_TOP_PAD: grow the heap 1 GiB at a time (address space)
_MALLOC_ENV = ('MALLOC_MMAP_MAX_', 'MALLOC_TRIM_THRESHOLD_', 'MALLOC_TOP_PAD_', 'GLIBC_TUNABLES')


def keep_freed_memory() -> str:
    """Make glibc malloc keep freed memory for reuse instead of returning it to the OS; returns
    what it did, for the log.

    A training step allocates activations larger than glibc's mmap threshold (32 MiB at most),
    so by default each is mmap-ed, unmapped when freed and page-faulted in again the next step:
    kernel time on every step. Kept in the heap, they are reused. Off with
    ``CMID_MALLOC_TUNING=0``; left alone when any ``MALLOC_*_`` / ``GLIBC_TUNABLES`` variable is
    set (the user's choice) or the C library is not glibc.
    """
    import ctypes
    import platform
    if os.environ.get('CMID_MALLOC_TUNING', '1') == '0':
        return 'malloc: glibc defaults (CMID_MALLOC_TUNING=0)'
    given = [k for k in _MALLOC_ENV if k in os.environ]
    if given:
        return f'malloc: as set by {", ".join(given)}'
    if platform.libc_ver()[0] != 'glibc':
        return 'malloc: not glibc, unchanged'
    mallopt = ctypes.CDLL(None).mallopt
    if not all(mallopt(param, value) == 1 for param, value in _MALLOPT_KEEP):
        raise RuntimeError('glibc mallopt refused a setting; set CMID_MALLOC_TUNING=0')
    return ('malloc: freed memory kept for reuse (mmap off, no trimming, 1 GiB top pad); '
            'CMID_MALLOC_TUNING=0 for glibc defaults')
