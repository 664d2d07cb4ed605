"""A frozen backbone for evaluation from a CMID checkpoint, an extracted backbone or a zoo model.

Which weights: a CMID training checkpoint (``state_dict`` keys ``backbone.*``: the student, what
downstream uses; the teacher's ``teacher.module.backbone.*`` keys are ignored), an mmpretrain
classifier checkpoint (also ``backbone.*``) or an extracted backbone (plain keys).
Which architecture: ``model_config`` (any config with ``model.backbone``), an mmpretrain zoo name,
or, with neither, read from the weights themselves (``backbone_cfg_from_state_dict``: ResNet,
Swin Transformer, ViT). The config text mmengine embeds in a checkpoint is never evaluated: it is
Python, and a checkpoint is data.
"""
import copy
from typing import Optional, Tuple

import torch.nn as nn
from mmengine.config import Config
from mmengine.runner import CheckpointLoader
from mmpretrain.registry import MODELS

from ..checkpoint.convert import backbone_cfg_from_state_dict


def load_checkpoint_file(path: str) -> dict:
    """A local path or URL through cmid_mm's one weights-only loader (``CheckpointError``)."""
    return CheckpointLoader.load_checkpoint(path, map_location='cpu', logger='silent')


def backbone_state_dict(checkpoint: dict) -> dict:
    """The backbone's weights, with plain keys, from any of the supported checkpoint layouts."""
    state = checkpoint.get('state_dict', checkpoint)
    prefixed = {k[len('backbone.'):]: v for k, v in state.items() if k.startswith('backbone.')}
    return prefixed or dict(state)


def build_eval_backbone(checkpoint: Optional[str] = None, model_config: Optional[str] = None,
                        zoo: Optional[str] = None,
                        random_init: bool = False) -> Tuple[nn.Module, Optional[object], str]:
    """Backbone (eval mode, CPU) and the data preprocessor it was trained with.

    Args:
        checkpoint: path or URL of the weights; with ``zoo`` and no checkpoint, the zoo weights.
        model_config: config file whose ``model.backbone`` is the architecture.
        zoo: mmpretrain model-zoo name (``mmpretrain.list_models()``).
        random_init: the architecture with its initialisation, no weights (a baseline).

    Returns:
        ``(backbone, preprocessor_cfg_or_None, description)``.
    """
    if sum(x is not None for x in (model_config, zoo)) > 1:
        raise ValueError('give at most one of model_config and zoo')
    ckpt = None
    if zoo is not None:
        from mmpretrain.apis import ModelHub  # loads the zoo index, only when asked
        metainfo = ModelHub.get(zoo)
        cfg = metainfo.config
        if checkpoint is None and not random_init:
            if metainfo.weights is None:
                raise ValueError(f'zoo model {zoo} has no published weights; give a checkpoint')
            checkpoint = metainfo.weights
    elif model_config is not None:
        cfg = Config.fromfile(model_config)
    elif checkpoint is not None:
        ckpt = load_checkpoint_file(checkpoint)
        backbone_cfg = backbone_cfg_from_state_dict(backbone_state_dict(ckpt), str(checkpoint))
        cfg = Config(dict(model=dict(backbone=backbone_cfg)))
    else:
        raise ValueError('give a checkpoint, a model config or a zoo name')
    model_cfg = cfg.get('model') or {}
    if 'backbone' not in model_cfg:
        raise ValueError(f'the model config has no model.backbone (model type '
                         f'{model_cfg.get("type")})')
    # mmpretrain classifier configs keep the preprocessor at the top level, CMID's in the model.
    preprocessor_cfg = model_cfg.get('data_preprocessor') or cfg.get('data_preprocessor')

    backbone_cfg = copy.deepcopy(model_cfg.backbone)
    backbone_cfg.pop('init_cfg', None)  # a 'Pretrained' init would download; weights come below
    backbone = MODELS.build(backbone_cfg)
    if random_init:
        backbone.init_weights()
        source = 'random init'
    else:
        if checkpoint is None:
            raise ValueError('no weights: give a checkpoint (or random_init=True)')
        ckpt = ckpt if ckpt is not None else load_checkpoint_file(checkpoint)
        misfit = f'checkpoint {checkpoint} does not fit the {backbone_cfg["type"]} backbone'
        try:
            missing, unexpected = backbone.load_state_dict(backbone_state_dict(ckpt),
                                                           strict=False)
        except RuntimeError as e:  # shape mismatches: keep torch's first one
            detail = next((ln.strip() for ln in str(e).splitlines() if 'size mismatch' in ln),
                          str(e).splitlines()[0])
            raise ValueError(f'{misfit}: {detail}') from None
        if missing or unexpected:
            raise ValueError(f'{misfit}: {len(missing)} missing keys (e.g. {missing[:3]}), '
                             f'{len(unexpected)} unexpected keys (e.g. {unexpected[:3]})')
        source = checkpoint
    backbone.eval()  # mmpretrain's ResNet.train() returns None, so no chaining
    return backbone, preprocessor_cfg, f'{backbone_cfg["type"]} ({source})'
