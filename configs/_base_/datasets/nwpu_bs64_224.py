# NWPU-RESISC45 (256 x 256 px), 1:9 split; the 2:8 configs override split_ratio.
_base_ = './ucmerced_bs64_224.py'

dataset_type, data_root, split_ratio = 'NWPURESISC45', 'data/NWPU-RESISC45', '1-9'
num_classes = 45
data_preprocessor = dict(num_classes=num_classes)
train_dataloader = val_dataloader = test_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split_ratio=split_ratio))
