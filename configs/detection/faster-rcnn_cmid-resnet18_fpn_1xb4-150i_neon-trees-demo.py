# CPU demo: Faster R-CNN + FPN from the demo-pretrained CMID ResNet-18 on NEON 10 cm RGB tree crowns
# (deepforest's labelled crops, cut into 256 px patches by demo/demo_downstream.py). Narrow FPN /
# RoI head, fewer proposals, 150 iterations: ../_base_/recipes/det_neon-trees-demo.py.
_base_ = [
    '../_base_/models/faster-rcnn_resnet50_fpn.py', '../_base_/datasets/dotav1-hbb_1024.py',
    '../_base_/recipes/det_neon-trees-demo.py'
]

cmid_checkpoint = _base_.demo_checkpoint
model = _base_.neon_trees_demo_model

# DOTA's horizontal-box layout (../_base_/datasets/dotav1-hbb_1024.py) at the patches' 256 px,
# one class; validation on the labelled val patches
data_root = 'data/neon_trees_demo/'
train_pipeline = [dict(t, scale=(256, 256)) if 'scale' in t else t for t in _base_.train_pipeline]
test_pipeline = [dict(t, scale=(256, 256)) if 'scale' in t else t for t in _base_.test_pipeline]
demo = dict(data_root=data_root, metainfo=dict(classes=('tree', )))
train_dataloader = dict(
    _base_.demo_loader, batch_sampler=None, sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(**demo, pipeline=train_pipeline))
val_dataloader = dict(_base_.demo_loader, dataset=dict(**demo, pipeline=test_pipeline))
test_dataloader = val_dataloader | dict(dataset=val_dataloader['dataset'] | dict(  # the val set
    ann_file='val/labelTxt/', data_prefix=dict(img_path='val/images/')))
val_evaluator = dict(eval_mode='area', iou_thrs=[0.5])
test_evaluator = dict(_delete_=True, type='VOCMetric', metric='mAP', eval_mode='area',
                      iou_thrs=[0.5])
