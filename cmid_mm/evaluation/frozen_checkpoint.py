"""kNN / linear-probe accuracy of the frozen backbone of a checkpoint on a labelled dataset config
(what ``tools/analysis_tools/knn_eval.py`` reports): the weights and architecture from
:func:`build_eval_backbone`, the splits from the data config's dataloaders, the numbers from
:func:`cmid_mm.evaluation.frozen_eval.evaluate_frozen`."""
import os.path as osp
from typing import Optional

import torch
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

from ..utils import load_config
from .backbone_loading import build_eval_backbone
from .features import normalizer_from
from .frozen_eval import build_labelled_loader, evaluate_frozen


def split_loader_cfg(cfg, split: str, path: str) -> dict:
    """The ``{split}_dataloader`` of a config (``val`` falls back to ``test_dataloader``)."""
    key = f'{split}_dataloader'
    if cfg.get(key) is None and split == 'val' and cfg.get('test_dataloader') is not None:
        key = 'test_dataloader'
    if cfg.get(key) is None or 'dataset' not in cfg[key]:
        raise ValueError(f'{path} has no {key} with a dataset (needed for the {split} split)')
    return cfg[key]


def evaluate_checkpoint(data_config: str, checkpoint: Optional[str] = None,
                        model_config: Optional[str] = None, zoo: Optional[str] = None,
                        random_init: bool = False, k: int = 20, temperature: float = 0.07,
                        probe: bool = True, probe_wd: float = 1e-3, bank_split: str = 'train',
                        query_split: str = 'val', batch_size: Optional[int] = None,
                        device: str = 'cpu', seed: int = 0) -> dict:
    """Weighted kNN (and linear probe) accuracy of a frozen backbone, the ``bank_split`` of
    ``data_config`` as memory bank / probe training set and its ``query_split`` as queries.

    Returns:
        dict: what :func:`evaluate_frozen` returns, plus ``backbone`` (its description),
        ``data_config`` and ``normalization``: None when the model's own data preprocessor
        normalised the images, else what did (the weights named no architecture config).

    Raises:
        ValueError / FileNotFoundError / KeyError: one line naming the file, key or option.
    """
    if checkpoint is None and zoo is None and not random_init:
        raise ValueError('give a CHECKPOINT (or --zoo NAME for the zoo weights, or '
                         '--random-init with --model-config)')
    if checkpoint and '://' not in checkpoint and not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint file not found: {checkpoint}')
    if k < 1 or temperature <= 0:
        raise ValueError(f'--k {k} must be >= 1 and --temperature {temperature} > 0')
    data_cfg = load_config(data_config)
    init_default_scope(data_cfg.get('default_scope', 'mmpretrain'))
    bank_cfg = split_loader_cfg(data_cfg, bank_split, data_config)
    query_cfg = split_loader_cfg(data_cfg, query_split, data_config)

    # A current logger at WARNING keeps init_weights' per-parameter report out of the output.
    MMLogger.get_instance('knn_eval', log_level='WARNING')
    torch.manual_seed(seed)
    backbone, preprocessor_cfg, desc = build_eval_backbone(checkpoint, model_config, zoo,
                                                           random_init)
    bank = build_labelled_loader(bank_cfg, batch_size)
    query = build_labelled_loader(query_cfg, batch_size)
    if len(bank.dataset) < k:
        raise ValueError(f'--k {k} is larger than the memory bank ({len(bank.dataset)} '
                         f'{bank_split} samples of {data_config}); give --k <= '
                         f'{len(bank.dataset)}')
    normalization = None
    if preprocessor_cfg is None:
        preprocessor_cfg = data_cfg.get('data_preprocessor')
        origin = 'the weights' if model_config is None and zoo is None else \
            'the model config, which has no data_preprocessor'
        normalization = (f'architecture from {origin}; normalising with '
                         + ("the data config's data_preprocessor" if preprocessor_cfg else
                            'ImageNet mean / std') + ' (give --model-config for the training '
                         'one)')
    backbone.to(device)
    result = evaluate_frozen(backbone, normalizer_from(preprocessor_cfg), bank, query, k,
                             temperature, probe, probe_wd)
    result.update(backbone=desc, data_config=data_config, normalization=normalization)
    return result
