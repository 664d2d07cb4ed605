_base_ = [
    '../_base_/models/cmid_resnet50.py',
    '../_base_/datasets/millionaid_cmid.py',
    '../_base_/schedules/adan_coslr_400e.py',
    '../_base_/default_runtime.py',
]

default_hooks = dict(
    # The local head's teacher temperature warms up linearly from 0.04 to its teacher_temp over
    # the first 50 epochs. A default hook (a dict entry, not a custom_hooks list item), so that a
    # config adding custom_hooks keeps it; configs without a local branch turn it off
    # (module_name=None).
    teacher_temp=dict(type='TeacherTempWarmupHook', warmup_teacher_temp=0.04, warmup_epochs=50),
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3))
log_processor = dict(window_size=50)
# Every BN (student, teacher, heads) becomes a SyncBatchNorm when distributed, as the official
# trainer does; a single process (CPU) keeps plain BN (mmengine's Runner converts only under DDP).
sync_bn = 'torch'
