# ISPRS Vaihingen as mmseg ships it (ISPRSDataset, 6 classes incl. clutter), with Potsdam's
# pipelines and size check (./potsdam_6class.py); only the dataset type and folder differ.
_base_ = './potsdam_6class.py'

dataset_type = 'ISPRSDataset'
data_root = 'data/vaihingen'
train_dataloader = val_dataloader = test_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root))
