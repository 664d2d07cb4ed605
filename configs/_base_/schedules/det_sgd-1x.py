# mmdet's 1x schedule (SGD, 500 warm-up iterations, 12 epochs, x0.1 at epochs 8 and 11) for
# 4 GPUs x 2 images: half of mmdet's 8 x 2 learning rate.
_base_ = 'mmdet::_base_/schedules/schedule_1x.py'

optim_wrapper = dict(optimizer=dict(lr=0.01))
auto_scale_lr = dict(enable=False, base_batch_size=8)
