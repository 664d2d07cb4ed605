# Labelled set of the demo's kNN / linear-probe evaluation: 100 px (10 m) tiles of the NEON 10 cm
# aerial RGB images of the deepforest package labelled by NEON site; built by
# demo/prepare_knn_data.py. The pretraining domain (same images, unlabelled, in pretraining).
_base_ = './knn-eval_landsat-landcover_neon-demo.py'

data_root = 'data/rs_knn/neon_sites/'
classes = ('OSBS', 'SOAP', 'YELL')
train_dataloader = dict(dataset=dict(data_root=data_root, classes=classes))
val_dataloader = dict(dataset=dict(data_root=data_root, classes=classes))
test_dataloader = val_dataloader
