# The demo's kNN / linear-probe evaluation on the NEON-site tiles (see the Landsat sibling).
_base_ = '../_base_/datasets/knn_neon-sites.py'

default_scope = 'mmpretrain'
train_dataloader = _base_.knn_bank_dataloader
val_dataloader = _base_.knn_query_dataloader
test_dataloader = val_dataloader
