# Linear probing: random resized crop and flips only (as mmpretrain's linear benchmarks).
_base_ = './nwpu_bs64_224.py'

train_dataloader = dict(dataset=dict(pipeline=_base_.linear_probe_pipeline))
