# Labelled set of the demo's kNN / linear-probe evaluation: 100 px (10 m) tiles of the NEON 10 cm
# aerial RGB images of the deepforest package labelled by NEON site; built by
# demo/prepare_knn_data.py. The pretraining domain (same images, unlabelled, in pretraining).
# The loaders of the Landsat set, on these tiles.
_base_ = './knn_landsat-landcover.py'

knn_data_root = 'data/rs_knn/neon_sites/'
knn_classes = ('OSBS', 'SOAP', 'YELL')
knn_bank_dataloader = dict(dataset=dict(data_root=knn_data_root, classes=knn_classes))
knn_query_dataloader = dict(dataset=dict(data_root=knn_data_root, classes=knn_classes))
