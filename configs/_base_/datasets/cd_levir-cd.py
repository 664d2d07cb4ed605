# LEVIR-CD (Chen & Shi 2020), the original release: train / val / test with A/, B/, label/
# (1024x1024 PNG, 445 / 64 / 128 pairs, masks 0/255). Training draws random 256x256 crops; each
# image is visited 16 times per epoch (RepeatDataset), as many 256x256 samples as BIT's pre-cut
# LEVIR-CD-256 (7120 crops). Test configs infer on 256x256 sliding windows.
_base_ = './cd_cdd.py'

dataset_type = 'LEVIRCDBitemporalDataset'
data_root = 'data/LEVIR-CD'
crop_size = (256, 256)
# CDD's pipeline, the random resize at LEVIR-CD's 1024 px
train_pipeline = [
    dict(t, scale=(1024, 1024)) if t['type'] == 'RandomResize' else t
    for t in _base_.train_pipeline
]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='RepeatDataset',
        times=16,
        dataset=dict(type=dataset_type, data_root=data_root, split='train',
                     pipeline=train_pipeline)))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
