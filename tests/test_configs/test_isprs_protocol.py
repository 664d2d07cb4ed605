"""The CMID paper's ISPRS protocol configs (clutter ignored, 5-class mIoU) and the image/label size
check of every shipped ISPRS config: a hand-computed mIoU through the configured pipeline and
IoUMetric, a wrong-size label named in one error, and a 2-iteration tools/train.py run."""
import glob
import os.path as osp
import re
import subprocess

import cv2
import mmseg
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmseg.evaluation import IoUMetric
from mmseg.registry import DATASETS

import cmid_mm  # noqa: F401  (registers CheckSameSize)
from cmid_mm.datasets.transforms import ImageFileError

from .helpers import REPO, local_data_options, train_and_read_scalars, write_isprs_tiles
SEG = 'configs/segmentation/'
PAPER_R50 = SEG + 'upernet_cmid-resnet50_1xb8-sgd-coslr-50e_potsdam-512x512.py'
MMSEG_TRAIN = osp.join(osp.dirname(mmseg.__file__), '.mim', 'tools', 'train.py')
PAPER = sorted(osp.relpath(p, REPO) for p in glob.glob(f'{REPO}/{SEG}*-coslr-50e_*.py'))
ISPRS = sorted(osp.relpath(p, REPO) for p in glob.glob(f'{REPO}/{SEG}*_potsdam-512x512.py') +
               glob.glob(f'{REPO}/{SEG}*_vaihingen-512x512.py'))
FIVE = ('impervious_surface', 'building', 'low_vegetation', 'tree', 'car')

# mmseg's converter label values: 0 boundary, 1 impervious, 2 building, 3 low vegetation,
# 4 tree, 5 car, 6 clutter
RAW_LABEL = np.array([[1, 1, 2, 2],
                      [1, 1, 2, 2],
                      [3, 4, 5, 6],
                      [6, 6, 0, 5]], np.uint8)
# a prediction over the five classes (0 impervious ... 4 car); at the three clutter pixels and
# the boundary pixel it predicts something, which must not count
PRED = np.array([[0, 0, 1, 0],
                 [0, 1, 1, 1],
                 [2, 2, 4, 0],
                 [1, 1, 3, 4]])
# by hand, over the 12 pixels that are neither clutter nor boundary:
#   impervious: gt 4 px, pred 4 px, both 3 -> IoU 3/5
#   building:   gt 4 px, pred 4 px, both 3 -> IoU 3/5
#   low veg.:   gt 1 px, pred 2 px, both 1 -> IoU 1/2
#   tree:       gt 1 px, pred 0 px (its one prediction is on boundary) -> IoU 0
#   car:        gt 2 px, pred 2 px, both 2 -> IoU 1
# mIoU = (0.6 + 0.6 + 0.5 + 0 + 1) / 5 = 54 %; 9 of the 12 pixels right: aAcc 75 %
HAND_MIOU, HAND_AACC = 54.0, 75.0


def write_isprs(root, label, img_size=None, splits=('val', )):
    """mmseg's converted ISPRS layout (img_dir/<split>, ann_dir/<split>, PNG), one tile per split."""
    h, w = img_size or label.shape
    for split in splits:
        for sub in ('img_dir', 'ann_dir'):
            (root / sub / split).mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(root / 'img_dir' / split / '0.png'),
                    np.random.default_rng(0).integers(0, 255, (h, w, 3), np.uint8))
        cv2.imwrite(str(root / 'ann_dir' / split / '0.png'), label)
    return root


def build_dataset(config, loader, data_root):
    cfg = Config.fromfile(osp.join(REPO, config))
    dataset_cfg = cfg[loader].dataset
    dataset_cfg.data_root = str(data_root)
    with DefaultScope.overwrite_default_scope('mmseg'):
        return DATASETS.build(dataset_cfg)


@pytest.mark.parametrize('config', [PAPER_R50, PAPER_R50.replace('potsdam', 'vaihingen')])
def test_paper_protocol_miou_ignores_clutter(config, tmp_path):
    dataset = build_dataset(config, 'val_dataloader', write_isprs(tmp_path, RAW_LABEL))
    assert dataset.metainfo['classes'] == FIVE
    sample = dataset[0]['data_samples']
    gt = sample.gt_sem_seg.data[0].numpy()
    assert (gt == 255).sum() == 4  # 3 clutter + 1 boundary pixels
    metric = IoUMetric(iou_metrics=['mIoU'])
    metric.dataset_meta = dataset.metainfo
    metric.process({}, [dict(pred_sem_seg=dict(data=torch.from_numpy(PRED)[None]),
                             gt_sem_seg=dict(data=sample.gt_sem_seg.data))])
    results = metric.compute_metrics(metric.results)
    assert results['mIoU'] == pytest.approx(HAND_MIOU)
    assert results['aAcc'] == pytest.approx(HAND_AACC)


def test_paper_protocol_models_predict_five_classes():
    for config in PAPER:
        cfg = Config.fromfile(osp.join(REPO, config))
        assert cfg.model.decode_head.num_classes == cfg.model.auxiliary_head.num_classes == 5
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            assert cfg[loader].dataset.metainfo.classes == FIVE, (config, loader)
        assert cfg.train_dataloader.batch_size == 8
        assert cfg.train_cfg == dict(type='EpochBasedTrainLoop', max_epochs=50, val_interval=5)
        assert cfg.model.test_cfg.mode == 'whole'
        assert [t.type for t in cfg.test_dataloader.dataset.pipeline] == [
            'LoadImageFromFile', 'LoadAnnotations', 'CheckSameSize', 'PackSegInputs']
        warmup, cosine = cfg.param_scheduler
        assert (warmup.type, warmup.end, warmup.by_epoch) == ('LinearLR', 100, False)
        assert (cosine.type, cosine.end, cosine.eta_min) == ('CosineAnnealingLR', 50, 1e-6)
        if 'vaihingen' in config:
            assert {cfg[k].dataset.type for k in ('train_dataloader', 'test_dataloader')} == {
                'ISPRSDataset'}
        else:
            assert cfg.train_dataloader.dataset.type == 'PotsdamDataset'


@pytest.mark.parametrize('config', ISPRS)
@pytest.mark.parametrize('loader', ['train_dataloader', 'val_dataloader'])
def test_wrong_size_label_is_one_error_naming_both_files(config, loader, tmp_path):
    split = 'train' if loader == 'train_dataloader' else 'val'
    root = write_isprs(tmp_path, np.ones((48, 64), np.uint8), img_size=(64, 64), splits=(split, ))
    dataset = build_dataset(config, loader, root)
    with pytest.raises(ImageFileError) as err:
        dataset[0]
    message = str(err.value)
    assert str(root / 'img_dir' / split / '0.png') in message
    assert str(root / 'ann_dir' / split / '0.png') in message
    assert 'img 64x64' in message and 'gt_seg_map 48x64' in message


def tiny_isprs_options(root):
    """4 train / 1 val random 64 px ISPRS-style tiles under ``root`` and the --cfg-options that
    point the paper ResNet-50 config at them at 64 px."""
    write_isprs_tiles(root, {'train': 4, 'val': 1})
    cfg = Config.fromfile(osp.join(REPO, PAPER_R50))
    steps = [t.type for t in cfg.train_dataloader.dataset.pipeline]
    loaders = ('train_dataloader', 'val_dataloader', 'test_dataloader')
    return local_data_options(root, loaders) + [
        'train_dataloader.batch_size=2',
        f'train_dataloader.dataset.pipeline.{steps.index("RandomResize")}.scale=(64,64)',
        f'train_dataloader.dataset.pipeline.{steps.index("RandomCrop")}.crop_size=(64,64)',
        'model.data_preprocessor.size=(64,64)',
    ]


def test_paper_config_trains_two_iterations_and_validates(tmp_path, cmid_r50_checkpoint, python):
    # mmseg's own packaged tools/train.py, unchanged: the config's custom_imports is all it needs
    work_dir = tmp_path / 'work'
    options = tiny_isprs_options(tmp_path) + [
        f'model.backbone.init_cfg.checkpoint={cmid_r50_checkpoint}',
        'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',  # 4 tiles / batch 2: 2 iterations
        'default_hooks.logger.interval=1', 'default_hooks.checkpoint.save_last=False',
    ]
    log, records = train_and_read_scalars(
        [python, MMSEG_TRAIN, PAPER_R50, '--work-dir', str(work_dir), '--cfg-options', *options],
        cmid_r50_checkpoint, work_dir)
    assert 'Iter(train) [2/2]' in log
    assert 'Iter(train) [1/2]  lr: 1.0000e-03' in log  # warm-up starts at 0.1 x 0.01
    assert [r['iter'] for r in records if 'loss' in r] == [1, 2]
    (val, ) = [r for r in records if 'mIoU' in r]
    assert 0 <= val['mIoU'] <= 100
    # the per-class table: the five classes, no clutter row
    assert re.search(r'\|\s+car\s+\|', log) and not re.search(r'\|\s+clutter\s+\|', log)


@pytest.mark.parametrize('leaf', [p for p in PAPER if 'vaihingen' in p])
def test_vaihingen_leaves_match_the_vaihingen_dataset_base(leaf):
    """A Vaihingen leaf (its Potsdam sibling with the dataset swapped) loads exactly the data of
    configs/_base_/datasets/vaihingen_512.py."""
    base = Config.fromfile(osp.join(REPO, 'configs/_base_/datasets/vaihingen_512.py'))
    cfg = Config.fromfile(osp.join(REPO, leaf))
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert cfg[loader].to_dict() == base[loader].to_dict(), loader
    assert cfg.val_evaluator == base.val_evaluator


def test_detection_checkpoint_is_refused_by_the_segmentation_test(tmp_path, python):
    """tools/test.py of a segmentation config with a Faster R-CNN checkpoint (same ResNet-50
    backbone): the decode head would stay random, so it stops with one line."""
    from mmdet.registry import MODELS as DET_MODELS
    cfg = Config.fromfile(osp.join(REPO, 'configs/_base_/models/faster-rcnn_resnet50_fpn.py'))
    cfg.model.backbone.pop('init_cfg', None)
    with DefaultScope.overwrite_default_scope('mmdet'):
        detector = DET_MODELS.build(cfg.model)
    path = tmp_path / 'faster_rcnn.pth'
    torch.save({'state_dict': detector.state_dict(), 'meta': {}}, path)
    proc = subprocess.run([python, 'tools/test.py', PAPER_R50, str(path), '--work-dir',
                           str(tmp_path / 'w'), '--cfg-options',
                           *tiny_isprs_options(tmp_path / 'data')], cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    last = proc.stderr.strip().splitlines()[-1]
    assert proc.returncode == 2 and 'Traceback' not in proc.stderr, proc.stderr[-3000:]
    assert last.startswith(f'error: checkpoint {path} does not fit the model: ') and \
        'missing (e.g. decode_head.' in last, last
