# The CMID paper's Vaihingen protocol for Swin-B: the Potsdam sibling on ISPRS Vaihingen.
_base_ = './upernet_cmid-swin-base_1xb8-adamw-coslr-50e_potsdam-512x512.py'

vaihingen = dict(type='ISPRSDataset', data_root='data/vaihingen')
train_dataloader = dict(dataset=vaihingen)
val_dataloader = dict(dataset=vaihingen)
test_dataloader = val_dataloader
