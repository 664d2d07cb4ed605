# The demo's kNN / linear-probe evaluation on the Landsat land-cover patches, as an mmpretrain
# classification data config: train = the memory bank / probe training set, val = the queries.
_base_ = '../_base_/datasets/knn_landsat-landcover.py'

default_scope = 'mmpretrain'
train_dataloader = _base_.knn_bank_dataloader
val_dataloader = _base_.knn_query_dataloader
test_dataloader = val_dataloader
