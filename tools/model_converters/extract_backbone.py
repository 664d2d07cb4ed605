"""Extract the CMID student backbone from a training checkpoint for downstream fine-tuning.

    python tools/model_converters/extract_backbone.py \
        work_dirs/cmid_resnet50_4xb64-adan-coslr-400e_millionaid/epoch_400.pth \
        checkpoints/cmid_resnet50_mmseg.pth --layout mmseg

writes ``{'state_dict': <backbone keys without prefix>, 'meta': {...}}``, loadable by
``init_cfg=dict(type='Pretrained', checkpoint=OUT)`` in mmpretrain, mmseg and mmdet backbones
(``--prefix backbone.`` keeps the prefix, for ``init_cfg=dict(..., prefix='backbone.')``; mmdet's
own SwinTransformer only reads ``backbone.*`` keys, so ``--layout mmdet`` gives Swin that prefix).
A CMID training checkpoint also loads directly with ``init_cfg=dict(type='Pretrained',
checkpoint=CKPT, prefix='backbone.')`` in backbones built with mmengine's PretrainedInit.
"""
import argparse

import cmid_mm  # noqa: F401  registers the checkpoint safe globals for weights_only loading
from cmid_mm.utils import CLIError, run_cli
from cmid_mm.checkpoint.convert import (LAYOUTS, CheckpointConvertError, detect_arch,
                                        load_checkpoint_state_dict, mmpretrain_to_layout,
                                        strip_prefix, write_backbone)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='CMID training checkpoint (tools/train.py output)')
    parser.add_argument('out', help='output .pth file')
    parser.add_argument('--layout', choices=LAYOUTS, default='mmpretrain',
                        help='key layout of the target library backbone (default: mmpretrain)')
    parser.add_argument('--prefix',
                        help="prefix added to every output key, e.g. 'backbone.' (default: none, "
                        "except 'backbone.' for --layout mmdet with Swin, which mmdet's "
                        'SwinTransformer requires)')
    parser.add_argument('--source-prefix', default='backbone.',
                        help="keys to extract (default: 'backbone.', the student; "
                        "'teacher.module.backbone.' gives the EMA teacher)")
    return parser.parse_args()


def main():
    args = parse_args()
    try:
        state_dict = load_checkpoint_state_dict(args.checkpoint)
        backbone = strip_prefix(state_dict, args.source_prefix, args.checkpoint)
        arch = detect_arch(backbone, f'{args.checkpoint} ({args.source_prefix}*)')
        converted = mmpretrain_to_layout(backbone, arch, args.layout)
    except CheckpointConvertError as e:
        raise CLIError(str(e)) from e
    write_backbone(converted, arch, args)


if __name__ == '__main__':
    run_cli(main)
