# mmpretrain zoo ImageNet-1k supervised checkpoints, the baselines CMID is compared with (the
# `-in1k` configs), and the ImageNet RGB mean / std (0-255) they were trained with.
imagenet_mean = [123.675, 116.28, 103.53]
imagenet_std = [58.395, 57.12, 57.375]
resnet50_in1k = ('https://download.openmmlab.com/mmclassification/v0/resnet/'
                 'resnet50_8xb32_in1k_20210831-ea4938fc.pth')
swin_base_in1k = ('https://download.openmmlab.com/mmclassification/v0/swin-transformer/'
                  'swin_base_224_b16x64_300e_imagenet_20210616_190742-93230b0d.pth')
# what a BIT change-detection -in1k config changes in its CMID sibling: the checkpoint and, since
# the CMID model bases normalise with MillionAID's statistics, the normalisation
bit_resnet50_in1k = dict(data_preprocessor=dict(mean=imagenet_mean, std=imagenet_std),
                         backbone=dict(init_cfg=dict(checkpoint=resnet50_in1k)))
bit_swin_base_in1k = dict(data_preprocessor=dict(mean=imagenet_mean, std=imagenet_std),
                          backbone=dict(init_cfg=dict(checkpoint=swin_base_in1k)))
