# The CMID paper's Vaihingen protocol: the Potsdam sibling on ISPRS Vaihingen (official README:
# "only the dataset name and path need to be changed"); clutter ignored, 5-class mIoU.
_base_ = './upernet_cmid-resnet50_1xb8-sgd-coslr-50e_potsdam-512x512.py'

vaihingen = dict(type='ISPRSDataset', data_root='data/vaihingen')
train_dataloader = dict(dataset=vaihingen)
val_dataloader = dict(dataset=vaihingen)
test_dataloader = val_dataloader
