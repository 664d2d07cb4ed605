# CMID paper protocol (official SemanticSegmentation/config/CMID-ResNet50_config.py): UperNet on
# ISPRS Potsdam from a CMID ResNet-50, clutter ignored, 5-class mIoU, SGD + cosine, 50 epochs,
# batch 8 on one GPU, whole-image test. The official run used fp16: add --amp on a GPU.
_base_ = [
    '../_base_/models/upernet_resnet50.py', '../_base_/datasets/potsdam_512.py',
    '../_base_/runtimes/seg_default_runtime.py', '../_base_/schedules/seg_sgd-coslr-50e.py'
]
num_classes = 5  # clutter is ignored (255), not a class
model = dict(data_preprocessor=dict(size=(512, 512)), decode_head=dict(num_classes=num_classes),
             auxiliary_head=dict(num_classes=num_classes))
