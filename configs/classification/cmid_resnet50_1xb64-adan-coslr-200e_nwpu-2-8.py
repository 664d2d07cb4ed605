# As cmid_resnet50_1xb64-adan-coslr-200e_nwpu-1-9.py, with the 2:8 train:test split.
_base_ = './cmid_resnet50_1xb64-adan-coslr-200e_nwpu-1-9.py'

train_dataloader = dict(dataset=dict(split_ratio='2-8'))
val_dataloader = dict(dataset=dict(split_ratio='2-8'))
test_dataloader = val_dataloader
