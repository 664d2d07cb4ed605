"""Oriented R-CNN (cmid_mm.detection.rotated.models) overfits a tiny synthetic set on CPU:
the key acceptance test of the oriented detector (RPN with midpoint offsets, rotated RoI Align,
rotated box head, rotated IoU assignment, rotated NMS)."""
import numpy as np
import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmdet.utils import register_all_modules
from mmengine.config import ConfigDict
from mmengine.structures import InstanceData

from cmid_mm.detection.rotated import eval_rotated_map
from ..fakes.rotated import random_scene


def tiny_oriented_rcnn(num_classes=2):
    """Oriented R-CNN as in configs/oriented_detection, with a 16-channel ResNet-18."""
    return ConfigDict(
        type='TwoStageDetector',
        data_preprocessor=dict(type='DetDataPreprocessor', mean=[0, 0, 0],
                               std=[255, 255, 255], pad_size_divisor=32),
        backbone=dict(type='ResNet', depth=18, base_channels=16, out_indices=(0, 1, 2, 3),
                      norm_eval=False),
        neck=dict(type='FPN', in_channels=[16, 32, 64, 128], out_channels=32, num_outs=5),
        rpn_head=dict(
            type='OrientedRPNHead', in_channels=32, feat_channels=32,
            anchor_generator=dict(type='AnchorGenerator', scales=[8], ratios=[0.5, 1.0, 2.0],
                                  strides=[4, 8, 16, 32, 64]),
            bbox_coder=dict(type='MidpointOffsetCoder'),
            loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=True),
            loss_bbox=dict(type='SmoothL1Loss', beta=1 / 9)),
        roi_head=dict(
            type='StandardRoIHead',
            bbox_roi_extractor=dict(
                type='RotatedSingleRoIExtractor', out_channels=32, featmap_strides=[4, 8, 16, 32],
                roi_layer=dict(type='RoIAlignRotated', output_size=7, sampling_ratio=2,
                               clockwise=True)),
            bbox_head=dict(
                type='RotatedShared2FCBBoxHead', in_channels=32, fc_out_channels=128,
                num_classes=num_classes, reg_class_agnostic=True,
                bbox_coder=dict(type='DeltaXYWHTRBoxCoder'),
                loss_cls=dict(type='CrossEntropyLoss'), loss_bbox=dict(type='SmoothL1Loss'))),
        train_cfg=dict(
            rpn=dict(assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.7, neg_iou_thr=0.3,
                                   min_pos_iou=0.3, match_low_quality=True,
                                   iou_calculator=dict(type='RBboxHBoxOverlaps2D')),
                     sampler=dict(type='RandomSampler', num=64, pos_fraction=0.5,
                                  add_gt_as_proposals=False),
                     allowed_border=0, pos_weight=-1, debug=False),
            rpn_proposal=dict(nms_pre=300, max_per_img=100,
                              nms=dict(type='nms', iou_threshold=0.8), min_bbox_size=0),
            rcnn=dict(assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.5, neg_iou_thr=0.5,
                                    min_pos_iou=0.5, match_low_quality=False,
                                    iou_calculator=dict(type='RBboxOverlaps2D')),
                      sampler=dict(type='RandomSampler', num=64, pos_fraction=0.25,
                                   add_gt_as_proposals=True),
                      pos_weight=-1, debug=False)),
        test_cfg=dict(
            rpn=dict(nms_pre=300, max_per_img=100, nms=dict(type='nms', iou_threshold=0.8),
                     min_bbox_size=0),
            rcnn=dict(score_thr=0.05, nms=dict(type='nms_rotated', iou_threshold=0.1),
                      max_per_img=100)))


def _batch(scenes):
    inputs, samples = [], []
    for img, boxes, labels in scenes:
        inputs.append(torch.from_numpy(img).permute(2, 0, 1).contiguous())
        sample = DetDataSample(metainfo=dict(img_shape=img.shape[:2], ori_shape=img.shape[:2],
                                             scale_factor=(1., 1.)))
        sample.gt_instances = InstanceData(bboxes=torch.from_numpy(boxes),
                                           labels=torch.from_numpy(labels))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def test_oriented_rcnn_overfits_tiny_rotated_rectangles():
    register_all_modules()
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    scenes = [random_scene(rng, size=128) for _ in range(4)]
    model = MODELS.build(tiny_oriented_rcnn())
    model.init_weights()
    optim = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    model.train()
    for _ in range(60):
        data = model.data_preprocessor(_batch(scenes), True)
        loss, _ = model.parse_losses(model.loss(data['inputs'], data['data_samples']))
        optim.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 35)
        optim.step()
    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(_batch(scenes), False)
        preds = model.predict(data['inputs'], data['data_samples'])
    dets = [(p.pred_instances.bboxes.numpy(), p.pred_instances.scores.numpy(),
             p.pred_instances.labels.numpy()) for p in preds]
    assert all(d[0].shape[1:] == (5, ) for d in dets)
    gts = [(boxes, labels, np.zeros(len(labels), bool)) for _, boxes, labels in scenes]
    mean_ap, _ = eval_rotated_map(dets, gts, num_classes=2, iou_thr=0.5, mode='area')
    assert mean_ap >= 0.9
