"""Every scene-classification config builds, and its parts agree with each other."""
import glob
import os.path as osp
import re

import pytest
from mmengine.config import Config
from mmpretrain.registry import DATASETS, MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(osp.basename(p) for p in glob.glob(osp.join(REPO, 'configs/classification/*.py')))
NAME = re.compile(r'^(?P<init>[a-z0-9-]+)_(?P<backbone>resnet50|swin-base|vit-base-p16)_1xb64-'
                  r'(?P<proto>adan-coslr-200e|linear-sgd-coslr-100e)_'
                  r'(?P<dataset>ucmerced|aid|nwpu)-(?P<ratio>\d-\d)\.py$')
DATASET_TYPES = {'ucmerced': 'UCMerced', 'aid': 'AID', 'nwpu': 'NWPURESISC45'}
BACKBONES = {'resnet50': 'ResNet', 'swin-base': 'SwinTransformer',
             'vit-base-p16': 'VisionTransformer'}
BASELINE_INITS = {'random', 'in1k', 'mocov3', 'mae'}


def load(name):
    return Config.fromfile(osp.join(REPO, 'configs/classification', name))


def test_config_set_is_complete():
    parsed = [NAME.match(name) for name in CONFIGS]
    assert all(parsed), [n for n, m in zip(CONFIGS, parsed) if not m]
    cmid = {(m['backbone'], m['proto'], m['dataset'], m['ratio']) for m in parsed
            if m['init'] == 'cmid'}
    splits = {('ucmerced', '8-2'), ('aid', '2-8'), ('aid', '5-5'), ('nwpu', '1-9'),
              ('nwpu', '2-8')}
    assert cmid == {(b, p, d, r) for b in BACKBONES
                    for p in ('adan-coslr-200e', 'linear-sgd-coslr-100e') for d, r in splits}
    baselines = {(m['init'], m['backbone']) for m in parsed if m['init'] != 'cmid'}
    for backbone in BACKBONES:  # random init and ImageNet-supervised for every backbone
        assert {('random', backbone), ('in1k', backbone)} <= baselines
    # and other self-supervised methods from mmpretrain's zoo
    assert {('mocov3', 'resnet50'), ('mae', 'vit-base-p16')} <= baselines


@pytest.mark.parametrize('name', CONFIGS)
def test_config_builds(name):
    m = NAME.match(name)
    cfg = load(name)
    dataset_cls = DATASETS.get(cfg.train_dataloader.dataset.type)
    assert dataset_cls.__name__ == DATASET_TYPES[m['dataset']]
    for loader, split in ((cfg.train_dataloader, 'train'), (cfg.val_dataloader, 'test'),
                          (cfg.test_dataloader, 'test')):
        assert (loader.dataset.split, loader.dataset.split_ratio) == (split, m['ratio'])
        assert loader.dataset.type == cfg.train_dataloader.dataset.type
    num_classes = len(dataset_cls.METAINFO['classes'])
    assert cfg.model.head.num_classes == cfg.data_preprocessor.num_classes == num_classes

    init_cfg = cfg.model.backbone.init_cfg
    if m['init'] == 'cmid':
        # the CMID pretraining run that writes the checkpoint exists under configs/cmid/
        assert init_cfg.type == 'Pretrained' and init_cfg.prefix == 'backbone.'
        run = init_cfg.checkpoint.split('/')[1]
        assert osp.isfile(osp.join(REPO, 'configs/cmid', f'{run}.py')), init_cfg.checkpoint

    # build without downloading or reading any checkpoint
    if isinstance(init_cfg, dict) and init_cfg.get('type') == 'Pretrained':
        cfg.model.backbone.init_cfg = None
    cfg.model.setdefault('data_preprocessor', cfg.data_preprocessor)  # as the Runner does
    model = MODELS.build(cfg.model)
    assert type(model.backbone).__name__ == BACKBONES[m['backbone']]
    model.train()
    trainable = {p.requires_grad for p in model.backbone.parameters()}
    if m['proto'].startswith('linear'):
        assert trainable == {False}  # the whole backbone is frozen
    else:
        assert trainable == {True}
    assert all(p.requires_grad for p in model.head.parameters())


@pytest.mark.parametrize('name', [n for n in CONFIGS if n.split('_')[0] in BASELINE_INITS])
def test_baselines_differ_only_in_backbone_init(name):
    cmid_name = 'cmid_' + name.split('_', 1)[1]
    baseline, cmid = load(name).to_dict(), load(cmid_name).to_dict()
    baseline_init = baseline['model']['backbone'].pop('init_cfg')
    cmid_init = cmid['model']['backbone'].pop('init_cfg')
    assert baseline == cmid
    assert baseline_init != cmid_init
    if name.startswith('random'):
        assert baseline_init is None or all(c['type'] != 'Pretrained' for c in baseline_init)
    else:
        assert baseline_init['type'] == 'Pretrained' and baseline_init['prefix'] == 'backbone.'
        assert baseline_init['checkpoint'].startswith('https://download.openmmlab.com/')
