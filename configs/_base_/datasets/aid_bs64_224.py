# AID (600 x 600 px, resized to 224), 2:8 split; the 5:5 configs override split_ratio.
_base_ = './ucmerced_bs64_224.py'

dataset_type, data_root, split_ratio = 'AID', 'data/AID', '2-8'
num_classes = 30
data_preprocessor = dict(num_classes=num_classes)
train_dataloader = val_dataloader = test_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split_ratio=split_ratio))
