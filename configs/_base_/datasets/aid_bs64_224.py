# AID (600 x 600 px, resized to 224), 2:8 split; the 5:5 configs override split_ratio.
_base_ = './ucmerced_bs64_224.py'

dataset_type = 'AID'
data_root = 'data/AID'
split_ratio = '2-8'
data_preprocessor = dict(num_classes=30)
dataset = dict(type=dataset_type, data_root=data_root, split_ratio=split_ratio)
train_dataloader = dict(dataset=dataset)
val_dataloader = dict(dataset=dataset)
test_dataloader = val_dataloader
