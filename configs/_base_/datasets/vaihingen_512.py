# ISPRS Vaihingen under the CMID paper's protocol: ./potsdam_512.py (clutter ignored, 5-class
# mIoU, batch 8) on mmseg's ISPRSDataset.
_base_ = './potsdam_512.py'

dataset_type = 'ISPRSDataset'
data_root = 'data/vaihingen'
train_dataloader = val_dataloader = test_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root))
