# Oriented R-CNN (Xie et al., ICCV 2021) + FPN on an mmpretrain ResNet-50 (keys = a CMID
# checkpoint's `backbone.*`), le90 boxes; settings of the official CMID detection config
# (NJU-LHRS/official-CMID Detection/config/CMID-ResNet-50_config.py). The detector is
# ./faster-rcnn_resnet50_fpn.py (same backbone, FPN, anchors, samplers and CMID initialisation)
# as mmdet's TwoStageDetector with the oriented RPN and a rotated RoI head; the rotated parts are
# cmid_mm.detection.rotated. Assigners compare rotated boxes, NMS is looser (0.8) and keeps more.
_base_ = './faster-rcnn_resnet50_fpn.py'

model = dict(
    type='TwoStageDetector',
    rpn_head=dict(
        type='OrientedRPNHead',
        bbox_coder=dict(
            type='MidpointOffsetCoder', target_means=[0.] * 6,
            target_stds=[1.0, 1.0, 1.0, 1.0, 0.5, 0.5]),
        loss_bbox=dict(type='SmoothL1Loss', beta=1.0 / 9.0, loss_weight=1.0)),
    roi_head=dict(
        bbox_roi_extractor=dict(
            type='RotatedSingleRoIExtractor',
            roi_layer=dict(
                type='RoIAlignRotated', output_size=7, sampling_ratio=2, clockwise=True)),
        bbox_head=dict(
            type='RotatedShared2FCBBoxHead',
            num_classes=15,
            bbox_coder=dict(
                type='DeltaXYWHTRBoxCoder', target_means=[0.] * 5,
                target_stds=[0.1, 0.1, 0.2, 0.2, 0.1]),
            reg_class_agnostic=True,
            loss_bbox=dict(type='SmoothL1Loss', beta=1.0, loss_weight=1.0))),
    train_cfg=dict(
        # the RPN's anchors are horizontal, its targets rotated
        rpn=dict(assigner=dict(iou_calculator=dict(type='RBboxHBoxOverlaps2D')),
                 allowed_border=0),
        rpn_proposal=dict(max_per_img=2000, nms=dict(iou_threshold=0.8)),
        rcnn=dict(assigner=dict(iou_calculator=dict(type='RBboxOverlaps2D')))),
    test_cfg=dict(
        rpn=dict(nms_pre=2000, max_per_img=2000, nms=dict(iou_threshold=0.8)),
        rcnn=dict(nms_pre=2000, min_bbox_size=0, nms=dict(type='nms_rotated', iou_threshold=0.1),
                  max_per_img=2000)))
