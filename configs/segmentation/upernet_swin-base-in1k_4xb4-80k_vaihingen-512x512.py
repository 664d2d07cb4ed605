# The Potsdam sibling on ISPRS Vaihingen: only the dataset type and folder change (official
# CMID README); the loaders equal ../_base_/datasets/vaihingen_*.py's.
_base_ = './upernet_swin-base-in1k_4xb4-80k_potsdam-512x512.py'

dataset_type, data_root = 'ISPRSDataset', 'data/vaihingen'
vaihingen = dict(type=dataset_type, data_root=data_root)
train_dataloader = dict(dataset=vaihingen)
val_dataloader = dict(dataset=vaihingen)
test_dataloader = val_dataloader
