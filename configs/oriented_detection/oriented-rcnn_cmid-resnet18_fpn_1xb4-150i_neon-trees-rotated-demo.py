# CPU demo: Oriented R-CNN + FPN from the demo-pretrained CMID ResNet-18 on NEON 10 cm RGB tree
# crowns with exact rotated boxes (deepforest's crops cut into 256 px patches, each rotated by a
# random angle: demo/demo_oriented_data.py). The model diff, schedule and runtime of the horizontal
# tree demo (../_base_/recipes/det_neon-trees-demo.py: narrow FPN / RoI head, 16-256 px anchors,
# fewer proposals, SGD 0.01 with grad clip 35 and a cosine schedule, 150 iterations).
_base_ = ['../_base_/models/oriented-rcnn_resnet50_fpn.py',
          '../_base_/recipes/det_neon-trees-demo.py']

cmid_checkpoint = _base_.demo_checkpoint
model = _base_.neon_trees_demo_model
model.test_cfg.rcnn = dict(max_per_img=300)  # as many boxes as proposals (the base keeps 2000)

dataset = dict(type='DOTADataset', data_root='data/neon_trees_rotated_demo/',
               metainfo=dict(classes=('tree', )))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRotatedAnnotations', with_bbox=True),
    dict(type='RotatedResize', scale=(256, 256), keep_ratio=True),  # patches are 256 px already
    dict(type='RotatedRandomFlip', prob=0.75, direction=['horizontal', 'vertical', 'diagonal']),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RotatedResize', scale=(256, 256), keep_ratio=True),
    dict(type='LoadRotatedAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    _base_.demo_loader, sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(**dataset, ann_file='train/labelTxt/', data_prefix=dict(img_path='train/images/'),
                 filter_cfg=dict(filter_empty_gt=True), pipeline=train_pipeline))
val_dataloader = dict(
    _base_.demo_loader, drop_last=False, sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**dataset, ann_file='val/labelTxt/', data_prefix=dict(img_path='val/images/'),
                 test_mode=True, pipeline=test_pipeline))
test_dataloader = val_dataloader
# AP50 as the horizontal demo's (area under the PR curve); crowns cut by the rotated patch's
# border are difficult: ignored
val_evaluator = dict(type='DOTAMetric', eval_mode='area', iou_thrs=[0.5])
test_evaluator = val_evaluator
