# What the DIOR / DIOR-R / DOTA dataset bases share: mmdet's loader settings (training batches of
# 2 grouped by aspect ratio, testing one image at a time in order) and the test pipelines, which
# differ between datasets only in the resize scale. A dataset base sets that scale with
#   [dict(t, scale=S) if t['type'].endswith('Resize') else t for t in _base_.<pipeline>]
# and adds its dataset to each loader.
det_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),  # after Resize: gts in image pixels
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
# the oriented-box counterparts (cmid_mm.detection.rotated's transforms)
rotated_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRotatedAnnotations', with_bbox=True),
    dict(type='RotatedResize', keep_ratio=True),
    dict(type='RotatedRandomFlip', prob=[0.25, 0.25, 0.25],
         direction=['horizontal', 'vertical', 'diagonal']),
    dict(type='PackDetInputs'),
]
rotated_test_pipeline = [
    dict(t, type={'Resize': 'RotatedResize', 'LoadAnnotations': 'LoadRotatedAnnotations'}.get(
        t['type'], t['type'])) for t in det_test_pipeline
]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False))
test_dataloader = val_dataloader
