"""demo/demo_common.py: checkpoint checks and reading the runs' metrics."""
import json

import pytest
import torch
from mmpretrain.models.backbones import ResNet

import demo_common as demo
from cmid_mm.evaluation import seed_noise


def save_state(path, state):
    torch.save({'state_dict': state}, path)
    return path


def save_backbone(path, depth):
    backbone = ResNet(depth=depth).state_dict()
    return save_state(path, {f'backbone.{k}': v for k, v in backbone.items()})


def test_accepts_a_resnet18_backbone(tmp_path):
    demo.check_backbone_checkpoint(str(save_backbone(tmp_path / 'r18.pth', 18)), depth=18)


@pytest.mark.parametrize('make,message', [
    (lambda p: p, 'checkpoint not found'),
    (lambda p: save_backbone(p, 50), 'the backbone is not a ResNet-18'),
    (lambda p: save_state(p, {'head.fc.weight': torch.zeros(1)}), 'has no backbone.* keys'),
])
def test_rejects_other_checkpoints(tmp_path, make, message):
    path = make(tmp_path / 'ckpt.pth')
    with pytest.raises(SystemExit, match=message):
        demo.check_backbone_checkpoint(str(path), depth=18)


def test_last_value_reads_the_newest_run(tmp_path):
    for stamp, value in (('20240101_000000', 1.0), ('20240102_000000', 2.5)):
        vis = tmp_path / stamp / 'vis_data'
        vis.mkdir(parents=True)
        lines = [dict(loss=0.3, step=1), dict(mIoU=value - 1, step=2), dict(mIoU=value, step=4)]
        (vis / 'scalars.json').write_text(''.join(json.dumps(r) + '\n' for r in lines))
    assert demo.last_value(str(tmp_path), 'mIoU') == 2.5
    with pytest.raises(SystemExit, match='no pascal_voc/mAP logged'):
        demo.last_value(str(tmp_path), 'pascal_voc/mAP')


def test_mean_std_and_versus_read_a_difference_against_the_seed_range():
    assert demo.mean_std([1., 3.]) == '2.00 ± 1.41'
    assert demo.mean_std([5.]) == '5.00 ± -'
    # difference 1.0, ranges 2.0 and 0.5: noise
    # std([1, 3]) = 1.41, std([1.25, 0.75]) = 0.35: a gap of 1.00 within their sum 1.77
    assert demo.versus([1., 3.], [1.25, 0.75]) == '+1.00 vs noise 1.77 (std sum): within seed noise'
    assert demo.versus([10., 11.], [1., 2.]) == '+9.00 vs noise 1.41 (std sum): CMID better'
    assert demo.versus([1., 2.], [10., 11.]) == '-9.00 vs noise 1.41 (std sum): random init better'
    # the same numbers give the SSL benchmark's verdict: one rule for both
    assert seed_noise.beyond_noise([10., 11.], [1., 2.]) == 1
    assert seed_noise.beyond_noise([1., 3.], [1.25, 0.75]) == 0
    assert demo.versus([3.], [1.]) == '+2.00 (one seed: no spread)'
