"""The three monitor hooks in a real mmengine Runner: a tiny CMID trained for 4 iterations."""
import glob
import json
import math
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.runner import Runner

from cmid_mm.evaluation.training_curves import read_knn_curve

from .tiny_cmid import tiny_demo_config


def write_images(folder, n, seed, colour=None):
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        img = rng.integers(0, 255, (72, 72, 3), np.uint8)
        if colour is not None:
            img = (img // 4 + np.array(colour, np.uint8)).astype(np.uint8)
        cv2.imwrite(str(folder / f'{i}.png'), img)


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """4 iterations of a tiny CMID (ResNet-18 with 8 base channels, 64 px) with the hooks."""
    root = tmp_path_factory.mktemp('hooks')
    write_images(root / 'unlabeled' / 'scene', 8, seed=0)
    lines = []
    for label, (cls, colour) in enumerate({'red': (0, 0, 180), 'blue': (180, 0, 0)}.items()):
        write_images(root / 'labelled' / cls, 4, seed=label + 1, colour=colour)
        lines += [f'{cls}/{i}.png {label}' for i in range(4)]
    (root / 'labelled' / 'all.txt').write_text('\n'.join(lines) + '\n')
    knn_loader = dict(
        batch_size=4, num_workers=0, persistent_workers=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(type='CustomDataset', data_root=str(root / 'labelled'), ann_file='all.txt',
                     classes=('red', 'blue'),
                     pipeline=[dict(type='LoadImageFromFile'), dict(type='Resize', scale=(64, 64)),
                               dict(type='PackInputs')]))

    cfg = tiny_demo_config(**{
        'train_dataloader.batch_size': 4, 'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'train_dataloader.dataset.data_root': str(root / 'unlabeled'),
        'train_dataloader.dataset.data_prefix': '',
        'train_dataloader.dataset.pipeline.1.img_size': 64,
        'train_cfg.max_iters': 4, 'default_hooks.logger.interval': 2,
        'default_hooks.checkpoint.interval': 1000, 'default_hooks.checkpoint.save_last': False,
    })
    cfg.custom_hooks = [
        dict(type='KNNEvalHook', bank_dataloader=knn_loader, query_dataloader=knn_loader,
             by_epoch=False, interval=2, k=3, probe=True, eval_at_start=True),
        dict(type='CollapseMonitorHook', interval=2),
        dict(type='ReconstructionVisHook', interval=2, max_images=3),
    ]
    cfg.work_dir = str(root / 'work')
    cfg.experiment_name = 'hooks'
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner


def test_reconstruction_panels_only_every_interval(trained):
    files = sorted(osp.basename(p) for p in
                   glob.glob(osp.join(trained.log_dir, 'vis_data', 'vis_image', '*.png')))
    assert files == ['reconstruction_2.png', 'reconstruction_4.png']
    panel = cv2.imread(osp.join(trained.log_dir, 'vis_data', 'vis_image', files[0]))
    # 3 rows of 64 px and 4 columns of 64 px, 2 px white separators
    assert panel.shape == (3 * 64 + 2 * 2, 4 * 64 + 3 * 2, 3)


def test_monitors_reach_the_scalar_log(trained):
    with open(osp.join(trained.log_dir, 'vis_data', 'scalars.json')) as f:
        rows = [json.loads(line) for line in f]
    logged = [r for r in rows if 'knn_top1' in r]
    assert [r['step'] for r in logged] == [2, 4]  # the LoggerHook of the same iteration
    for r in logged:
        assert 0 <= r['knn_top1'] <= 100 and 0 <= r['knn_probe_top1'] <= 100
        assert {'collapse/global_std', 'collapse/global_erank', 'collapse/local_std',
                'collapse/local_erank', 'collapse/centre_entropy', 'collapse/local_blind_floor',
                'collapse/local_target_entropy'} <= set(r)
        assert 0 <= r['collapse/local_blind_floor'] <= math.log(32) + 1e-5  # 32 prototypes


def test_knn_curve_starts_at_the_random_init_and_is_written(trained):
    """eval_at_start adds iteration 0 (the student at its initialisation) to the curve, but not
    to the scalar log (the MessageHub would log it under iteration 2)."""
    knn = next(h for h in trained.hooks if type(h).__name__ == 'KNNEvalHook')
    assert [h['iter'] for h in knn.history] == [0, 2, 4]
    # what the hook wrote reads back through the one reader the tools and the demo use
    assert read_knn_curve(trained.log_dir) == knn.history
    assert read_knn_curve(trained.log_dir, prefix='nothing') is None
    log = open(glob.glob(osp.join(trained.log_dir, '*.log'))[0]).read()
    first, last = knn.history[0]['top1'], knn.history[-1]['top1']
    assert (f'kNN top-1 {first:.1f} -> {last:.1f} over iterations 0..4 (iteration 0 = this '
            "run's random init") in log


def test_backbone_is_back_in_train_mode(trained):
    assert trained.model.backbone.training
    knn = next(h for h in trained.hooks if type(h).__name__ == 'KNNEvalHook')
    assert knn.last_result['num_bank'] == 8 and knn.last_result['num_query'] == 8


def test_the_config_warms_the_teacher_temperature_up(trained):
    """The demo config's TeacherTempWarmupHook (a default hook: replacing custom_hooks keeps it)
    set the temperature of the last iteration (index 3 of a 100-iteration warm-up)."""
    head = trained.model.local_head
    assert head.current_teacher_temp == pytest.approx(0.04 + (0.07 - 0.04) * 3 / 100)
    assert head.teacher_temp == 0.07
