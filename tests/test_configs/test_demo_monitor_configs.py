"""The demo's monitored and ablation configs build what they name."""
import os.path as osp

from cmid_mm.engine.hooks import CollapseMonitorHook, KNNEvalHook, ReconstructionVisHook
from mmengine.config import Config
from mmpretrain.registry import HOOKS, MODELS

CONFIGS = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'configs', 'cmid')


def test_monitored_demo_config_builds_its_hooks():
    cfg = Config.fromfile(osp.join(CONFIGS, 'cmid_resnet18_1xb16-adan-200i_neon-demo-monitored.py'))
    hooks = [HOOKS.build(h) for h in cfg.custom_hooks]
    assert [type(h) for h in hooks] == [KNNEvalHook, CollapseMonitorHook, ReconstructionVisHook]
    knn = hooks[0]
    assert (knn.k, knn.temperature, knn.by_epoch) == (20, 0.07, False)
    assert knn.bank_cfg['dataset']['ann_file'] == 'train.txt'
    assert knn.query_cfg['dataset']['ann_file'] == 'val.txt'
    # monitors log on logger iterations (interval 10), so their values reach scalars.json
    assert all(h.interval % cfg.default_hooks.logger.interval == 0 for h in hooks)


def test_global_only_ablation_has_only_the_global_branch():
    cfg = Config.fromfile(
        osp.join(CONFIGS, 'cmid-global-only_resnet18_1xb16-adan-200i_neon-demo.py'))
    demo = Config.fromfile(osp.join(CONFIGS, 'cmid_resnet18_1xb16-adan-200i_neon-demo.py'))
    assert cfg.train_cfg == demo.train_cfg and cfg.train_dataloader == demo.train_dataloader
    cfg.model.global_head.queue_len = 16
    model = MODELS.build(cfg.model)
    assert model.global_head is not None
    assert model.local_head is None and model.rec_head is None and model.decoder is None
