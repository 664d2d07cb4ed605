"""PretrainStepBenchmark: the bare-backbone baseline leaves no gradient behind."""
from mmengine.config import Config

from cmid_mm.engine.step_benchmark import PretrainStepBenchmark

DEMO = 'configs/cmid/cmid_resnet18_1xb16-adan-200i_neon-demo.py'


def tiny_benchmark():
    cfg = Config.fromfile(DEMO)
    cfg.merge_from_dict({
        'model.backbone.stem_channels': 8, 'model.backbone.base_channels': 8,
        'model.global_neck.in_channels': 64, 'model.global_neck.hid_channels': 32,
        'model.global_neck.out_channels': 16,
        'model.global_head.queue_len': 16, 'model.global_head.feat_dim': 16,
        'model.local_neck.in_channels': 64, 'model.local_neck.hid_channels': 32,
        'model.local_neck.bottleneck_channels': 16, 'model.local_neck.out_channels': 32,
        'model.local_head.out_channels': 32, 'model.local_head.num_pairs': 2,
        'model.decoder.in_channels': 64})
    return PretrainStepBenchmark(cfg, batch_size=2, img_size=64)


def test_the_bare_step_zeroes_every_gradient_it_makes_mask_token_included():
    bench = tiny_benchmark()
    token = bench.model.mask_token.detach().clone()
    bench.bare_step()
    leftover = [name for name, p in bench.model.named_parameters()
                if p.grad is not None and p.grad.any()]
    assert leftover == []  # nothing accumulates into the next CMID step
    assert not (bench.model.mask_token == token).all()  # it steps the mask token too
