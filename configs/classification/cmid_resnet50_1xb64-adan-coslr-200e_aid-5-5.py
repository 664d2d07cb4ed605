# As cmid_resnet50_1xb64-adan-coslr-200e_aid-2-8.py, with the 5:5 train:test split.
_base_ = './cmid_resnet50_1xb64-adan-coslr-200e_aid-2-8.py'

train_dataloader = dict(dataset=dict(split_ratio='5-5'))
val_dataloader = dict(dataset=dict(split_ratio='5-5'))
test_dataloader = val_dataloader
