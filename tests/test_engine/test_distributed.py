"""2 processes x batch B (gloo, CPU) == 1 process x batch 2B: losses, queue, centre, parameters."""
import os
import socket

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

B = 2  # per-process batch


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _build():
    """CMID on a tiny ViT: no BatchNorm anywhere, so a sample's outputs do not depend on the
    rest of its batch (SyncBN off would otherwise make the runs differ). The frequency loss
    averages the spectrum over each process's batch (as the official code does), so it is
    switched off for this comparison."""
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS

    import cmid_mm  # noqa: F401
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    vit = dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)
    model = MODELS.build(dict(
        type='CMID',
        data_preprocessor=dict(type='SelfSupDataPreprocessor', mean=[0.] * 3, std=[1.] * 3),
        backbone=dict(type='CMIDVisionTransformer', arch=vit, img_size=64, patch_size=16),
        global_neck=dict(type='MoCoV2Neck', in_channels=32, hid_channels=32, out_channels=16),
        global_head=dict(type='MoCoQueueHead', queue_len=32, feat_dim=16),
        local_neck=dict(type='CMIDLocalNeck', in_channels=32, hid_channels=32,
                        bottleneck_channels=16, out_channels=24, with_bn=False),
        local_head=dict(type='CMIDLocalHead', out_channels=24, num_pairs=3),
        decoder=dict(type='CMIDLinearDecoder', in_channels=32, encoder_stride=16),
        rec_head=dict(type='CMIDReconstructionHead', loss_freq=None)))
    model.init_weights()
    return model


def _batch(start, stop):
    """Samples start..stop-1 of one fixed global batch of 2B."""
    from mmpretrain.structures import DataSample

    from cmid_mm.datasets import CMIDTwoViews
    np.random.seed(0)
    views = CMIDTwoViews(img_size=64)
    samples = [views(dict(img=np.random.randint(0, 255, (80, 80, 3), np.uint8)))
               for _ in range(2 * B)][start:stop]
    inputs = [torch.stack([torch.from_numpy(s['img'][v]).permute(2, 0, 1) for s in samples])
              for v in range(2)]
    data_samples = [DataSample(crop_boxes=s['crop_boxes']).set_mask(s['mask']) for s in samples]
    return dict(inputs=inputs, data_samples=data_samples)


def _train(model, start, stop, steps=2):
    from mmengine.logging import MessageHub
    from mmengine.optim import build_optim_wrapper

    from cmid_mm.engine.hooks.teacher_temp_warmup_hook import warmup_value
    hub = MessageHub.get_current_instance()
    hub.update_info('max_iters', 10)
    optim = build_optim_wrapper(model, dict(optimizer=dict(type='TimmAdan', lr=1e-3)))
    losses = []
    for it in range(steps):
        hub.update_info('iter', it)
        # what TeacherTempWarmupHook sets with warmup_iters=10
        getattr(model, 'module', model).local_head.current_teacher_temp = warmup_value(
            0.04, 0.07, it, 10)
        log_vars = model.train_step(_batch(start, stop), optim)
        losses.append({k: v.item() for k, v in log_vars.items()})
    module = getattr(model, 'module', model)
    state = {k: v.detach().clone() for k, v in module.state_dict().items()}
    return losses, state


def _worker(rank, port, out_dir):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=2)
    from mmengine.model import MMDistributedDataParallel
    model = MMDistributedDataParallel(_build(), device_ids=None)
    losses, state = _train(model, rank * B, (rank + 1) * B)
    torch.save(dict(losses=losses, state=state), os.path.join(out_dir, f'rank{rank}.pth'))
    dist.destroy_process_group()


def test_two_processes_equal_one_process_with_twice_the_batch(tmp_path):
    mp.spawn(_worker, args=(_free_port(), str(tmp_path)), nprocs=2, join=True)
    ranks = [torch.load(tmp_path / f'rank{r}.pth') for r in range(2)]
    single_losses, single_state = _train(_build(), 0, 2 * B)

    for step, single in enumerate(single_losses):
        for key in ('loss_global', 'loss_local', 'loss_rec'):
            per_rank = [r['losses'][step][key] for r in ranks]  # each a mean over its B samples
            np.testing.assert_allclose(np.mean(per_rank), single[key], rtol=1e-4, err_msg=key)
    for key in ('global_head.queue', 'global_head.queue_ptr', 'local_head.center',
                'backbone.pos_embed', 'mask_token', 'teacher.module.backbone.pos_embed'):
        for r in ranks:  # every process holds the same queue / centre / weights as one process
            torch.testing.assert_close(r['state'][key], single_state[key], rtol=1e-4, atol=1e-6,
                                       msg=key)
