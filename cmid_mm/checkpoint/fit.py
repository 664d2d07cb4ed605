"""Weights that do not fit stop the run, instead of a warning and training from random weights.

mmengine loads ``init_cfg=dict(type='Pretrained')``, ``load_from`` and test checkpoints with
``strict=False``: a Swin checkpoint in a ResNet, an extracted backbone read with
``prefix='backbone.'`` or a detector given to a segmentor only log warnings, and training or
evaluation goes on from random weights. Here every such load is checked first
(:func:`check_fit`) and stops with one :class:`CheckpointError` line saying how many weights
matched, which prefix was tried and the fix.

What may stay unloaded (the documented allowance):

- the per-stage output norms ``norm0`` .. ``norm{n-1}`` of a Swin Transformer (a CMID checkpoint
  is pretrained with ``out_indices=(3, )``, so a dense-task Swin's extra output norms have no
  pretrained counterpart);
- what the model's own load hooks fit while loading: the input conv of an N-band model whose
  checkpoint is K-band (``AdaptInputBands``), ViT position embeddings and Swin tables of another
  image or window size (mmpretrain's resizing hooks);
- keys matching ``allow_missing`` (``fnmatch`` patterns, e.g. ``['decode_head.*']``).

Opt out: ``init_cfg=dict(type='Pretrained', ..., strict=False)``, or for ``load_from`` / test
checkpoints ``--cfg-options load_strict=False`` (both keep mmengine's warnings).
"""
import fnmatch
import re
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model.weight_init import PretrainedInit, update_init_info
from mmengine.registry import HOOKS, WEIGHT_INITIALIZERS
from mmengine.runner import BaseLoop
from mmpretrain.utils import get_ori_model

from .loader import CheckpointError

_SWIN_OUT_NORM = re.compile(r'(^|\.)norm\d+\.(weight|bias)$')


def _owner(model: nn.Module, key: str) -> Tuple[Optional[nn.Module], str]:
    """The module holding parameter/buffer ``key`` and the key's last component."""
    path, _, leaf = key.rpartition('.')
    try:
        return (model.get_submodule(path) if path else model), leaf
    except AttributeError:
        return None, leaf


def _swin_out_norm(model: nn.Module, key: str) -> bool:
    """``key`` is a per-stage output norm (``norm<i>.weight/bias``) of a Swin Transformer
    backbone itself (not a norm inside one of its blocks)."""
    if not _SWIN_OUT_NORM.search(key):
        return False
    owner, _ = _owner(model, key.rpartition('.')[0])
    return (owner is not None and 'swin' in type(owner).__name__.lower()
            and isinstance(getattr(owner, 'stages', None), nn.ModuleList))


def _as_loaded(model: nn.Module, state_dict: dict) -> dict:
    """``state_dict`` as the model's own load pre-hooks will turn it while loading (ViT / Swin
    resize position embeddings and bias tables, ``AdaptInputBands`` fits stems): what is then
    compared is what will really be copied. Run on a shallow copy, parents before children as
    ``load_state_dict`` does."""
    state = dict(state_dict)
    for name, module in model.named_modules():
        for hook in getattr(module, '_load_state_dict_pre_hooks', {}).values():
            hook(state, f'{name}.' if name else '', {}, True, [], [], [])
    return state


def _arch_of(keys: Iterable[str]) -> str:
    keys = list(keys)
    text = ' '.join(keys[:2000])
    if 'w_msa.relative_position_bias_table' in text:
        return 'a Swin Transformer'
    if '.attn.qkv.' in text or 'attn.attn.in_proj' in text:
        return 'a Vision Transformer'
    if 'layer1.0.conv1.weight' in text:
        return 'a ResNet'
    return 'an unknown architecture'


def check_fit(model: nn.Module, state_dict: Dict[str, torch.Tensor], *, source: str,
              prefix: Optional[str] = None, scope: str = '', what: str = 'model',
              allow_missing: Sequence[str] = (), fix: str = '',
              opt_out: str = 'init_cfg.strict=False') -> int:
    """Raise :class:`CheckpointError` unless ``state_dict`` fills every weight of ``model``
    under ``scope`` (a key prefix; '' for all) with the right shape, allowances aside.

    Returns the number of weights that matched.
    """
    target = {k: v for k, v in model.state_dict().items() if k.startswith(scope)}
    if not target:
        return 0
    state_dict = _as_loaded(model, state_dict)
    matched, missing, mismatched = 0, [], []
    for key, value in target.items():
        have = state_dict.get(key)
        if have is None or not hasattr(have, 'shape'):
            if not (_swin_out_norm(model, key)
                    or any(fnmatch.fnmatchcase(key, p) for p in allow_missing)):
                missing.append(key)
        elif have.shape != value.shape:
            mismatched.append((key, tuple(have.shape), tuple(value.shape)))
        else:
            matched += 1
    if not missing and not mismatched:
        return matched
    tried = f"prefix {prefix!r}" if prefix else 'no prefix'
    parts = []
    if missing:
        parts.append(f'{len(missing)} missing (e.g. {missing[0]})')
    if mismatched:
        key, have, want = mismatched[0]
        parts.append(f'{len(mismatched)} of another shape (e.g. {key}: checkpoint {list(have)} '
                     f'vs model {list(want)})')
    fix = fix or _suggest(state_dict, target, prefix, scope, what)
    if opt_out:
        fix += f' (or opt out with {opt_out})'
    raise CheckpointError(
        f'{source} does not fit the {what}: {matched} of {len(target)} weights matched with '
        f"{tried} ({'; '.join(parts)}). {fix}")


def _suggest(state_dict, target, prefix, scope, what) -> str:
    """A fix for the common misfits, from what the checkpoint's keys look like."""
    keys = list(state_dict)
    if prefix and not keys:
        return (f"Nothing in it starts with {prefix!r} (an extracted backbone?): set "
                'init_cfg.prefix=None')
    backbone_only = keys and all(k.startswith('backbone.') for k in keys[:50])
    if not prefix and backbone_only and not any(k.startswith('backbone.') for k in target):
        return "Its keys start with 'backbone.': set init_cfg.prefix='backbone.'"
    if backbone_only and any(not k.startswith('backbone.') for k in target):
        return (f'It holds only backbone weights (a pretraining or extracted checkpoint?): the '
                f'{what} needs a checkpoint trained with this config; to start a fine-tune from '
                "a backbone use init_cfg=dict(type='Pretrained', ...) on the backbone")
    ckpt_arch = _arch_of(keys)
    model_arch = _arch_of(k[len(scope):] if scope else k for k in target)
    if ckpt_arch != model_arch and 'unknown' not in ckpt_arch + model_arch:
        return (f'It holds {ckpt_arch}, the {what} is {model_arch}: give a checkpoint of '
                'this architecture')
    return (f'Give a checkpoint trained for this {what}, or list what may stay unloaded in '
            'allow_missing')


def _revise(state_dict: dict, revise_keys=((r'^module\.', ''), )) -> dict:
    out = dict(state_dict)
    for pattern, repl in revise_keys:
        out = {re.sub(pattern, repl, k): v for k, v in out.items()}
    return out


@WEIGHT_INITIALIZERS.register_module(name='Pretrained', force=True)
class CheckedPretrainedInit(PretrainedInit):
    """mmengine's ``Pretrained`` initializer, refusing weights that do not fit (module doc).

    Registered under mmengine's own name ``'Pretrained'`` so every config keeps working and
    mmengine still defers it after the children's init, as it does only for that type.

    Args:
        checkpoint, prefix, map_location: as mmengine's ``PretrainedInit``.
        strict: False restores mmengine's behaviour (warn and go on).
        allow_missing: ``fnmatch`` patterns of module keys that may stay unloaded.
    """

    def __init__(self, checkpoint, prefix=None, map_location='cpu', strict: bool = True,
                 allow_missing: Sequence[str] = ()):
        super().__init__(checkpoint, prefix=prefix, map_location=map_location)
        self.strict = strict
        self.allow_missing = tuple(allow_missing)

    def __call__(self, module):
        if not self.strict:
            return super().__call__(module)
        from mmengine.runner.checkpoint import _load_checkpoint, load_state_dict
        print_log(f'load {self.prefix} in model from: {self.checkpoint}' if self.prefix else
                  f'load model from: {self.checkpoint}', logger='current')
        checkpoint = _load_checkpoint(self.checkpoint, map_location=self.map_location)
        state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else {}
        state = _revise(state)
        if self.prefix:
            prefix = self.prefix if self.prefix.endswith('.') else self.prefix + '.'
            state = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
        check_fit(module, state, source=f'init_cfg Pretrained checkpoint {self.checkpoint}',
                  prefix=self.prefix, what=type(module).__name__,
                  allow_missing=self.allow_missing)
        # The checked weights are loaded as mmengine would (one read of the file, not two).
        load_state_dict(module, state, strict=False, logger='current')
        if hasattr(module, '_params_init_info'):
            update_init_info(module, init_info=self._get_init_info())


@HOOKS.register_module()
class CheckpointFitHook(Hook):
    """Check a ``load_from`` / test / resume checkpoint against the model before it is loaded.

    The tools register it; a config can also list it in ``custom_hooks`` so that mmseg's or
    mmdet's own ``tools/train.py`` / ``test.py`` (and ``mim``) check the same way.

    Args:
        scope: key prefix of the weights that must load. None (default): ``'backbone.'`` when
            training from ``load_from`` (a fine-tune start), ``''`` (the whole model) when
            testing or resuming.
        strict: False turns the check off.
        allow_missing: ``fnmatch`` patterns of model keys that may stay unloaded.
    """
    priority = 'VERY_HIGH'

    def __init__(self, scope: Optional[str] = None, strict: bool = True,
                 allow_missing: Sequence[str] = ()):
        self.scope = scope
        self.strict = strict
        self.allow_missing = tuple(allow_missing)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if not self.strict:
            return
        model = get_ori_model(runner.model)
        state = _revise(checkpoint.get('state_dict', checkpoint))
        resuming = bool(runner._resume)
        # Runner.train() builds its train loop before loading; test() / val() never do.
        training = isinstance(runner._train_loop, BaseLoop)
        scope = self.scope if self.scope is not None else (
            'backbone.' if training and not resuming else '')
        if resuming:  # a resumed run continues the whole model
            scope = ''
        # A model without ``backbone`` is checked whole.
        if not any(k.startswith(scope) for k in model.state_dict()):
            scope = ''
        what = 'model' if not scope else f'model\'s {scope.rstrip(".")}'
        check_fit(model, state, source=f'checkpoint {runner._load_from}', scope=scope, what=what,
                  allow_missing=self.allow_missing,
                  fix='Resume from a checkpoint of this config.' if resuming else '',
                  opt_out='--cfg-options load_strict=False')


def add_checkpoint_fit_hook(runner, scope: Optional[str] = None, strict: bool = True,
                            allow_missing: List[str] = ()) -> None:
    """Register :class:`CheckpointFitHook` on a built runner (the tools call this)."""
    if any(isinstance(h, CheckpointFitHook) for h in runner.hooks):
        return
    runner.register_hook(CheckpointFitHook(scope, strict, allow_missing))
    if not strict:
        print_log('load_strict=False: checkpoint keys that do not fit are only warned about',
                  logger='current', level=30)
