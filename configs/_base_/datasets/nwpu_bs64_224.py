# NWPU-RESISC45 (256 x 256 px), 1:9 split; the 2:8 configs override split_ratio.
_base_ = './ucmerced_bs64_224.py'

dataset_type = 'NWPURESISC45'
data_root = 'data/NWPU-RESISC45'
split_ratio = '1-9'
data_preprocessor = dict(num_classes=45)
dataset = dict(type=dataset_type, data_root=data_root, split_ratio=split_ratio)
train_dataloader = dict(dataset=dataset)
val_dataloader = dict(dataset=dataset)
test_dataloader = val_dataloader
