"""The demo CMID config shrunk to a ResNet-18 with 8 base channels and small heads."""
import os.path as osp

from mmengine.config import Config

DEMO = 'configs/cmid/cmid_resnet18_1xb16-adan-200i_neon-demo.py'


def tiny_demo_config(**overrides) -> Config:
    """The demo config with tiny widths, then ``overrides`` (``merge_from_dict`` keys)."""
    cfg = Config.fromfile(DEMO)
    cfg.merge_from_dict({
        'model.backbone.stem_channels': 8, 'model.backbone.base_channels': 8,
        'model.global_neck.in_channels': 64, 'model.global_neck.hid_channels': 32,
        'model.global_neck.out_channels': 16,
        'model.global_head.queue_len': 16, 'model.global_head.feat_dim': 16,
        'model.local_neck.in_channels': 64, 'model.local_neck.hid_channels': 32,
        'model.local_neck.bottleneck_channels': 16, 'model.local_neck.out_channels': 32,
        'model.local_head.out_channels': 32, 'model.local_head.num_pairs': 2,
        'model.decoder.in_channels': 64, **overrides})
    return cfg


def tiny_runner_config(data_root, work_dir, max_iters: int, **overrides) -> Config:
    """:func:`tiny_demo_config` for a Runner: batch 4 from a folder of images at 64 px, no
    loader workers, ``max_iters`` iterations, then ``overrides``."""
    cfg = tiny_demo_config(**{
        'train_dataloader.batch_size': 4, 'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'train_dataloader.dataset.data_root': str(data_root),
        'train_dataloader.dataset.data_prefix': '',
        'train_dataloader.dataset.pipeline.1.img_size': 64,
        'train_cfg.max_iters': max_iters, **overrides})
    cfg.work_dir = str(work_dir)
    # mmengine keys a Runner's visualizer and logger by experiment name, config name + timestamp
    # to the second by default: two tests' Runners started within one second shared the first
    # one's visualizer, which wrote into a directory pytest had already removed (a CI failure).
    cfg.experiment_name = f'{osp.basename(osp.dirname(work_dir))}_{osp.basename(work_dir)}'
    return cfg
