# Change detection runs in mmseg's scope: the segmentation runtime, logged by epoch.
_base_ = './seg_default_runtime.py'

log_processor = dict(by_epoch=True)
