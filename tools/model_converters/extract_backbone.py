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

from cmid_mm.checkpoint.convert import add_conversion_args, convert_backbone
from cmid_mm.utils import run_cli


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='CMID training checkpoint (tools/train.py output)')
    args = add_conversion_args(
        parser, 'backbone.', "keys to extract (default: 'backbone.', the student; "
        "'teacher.module.backbone.' gives the EMA teacher)").parse_args()
    print(convert_backbone(args.checkpoint, args.out, args.layout, args.prefix,
                           args.source_prefix))


if __name__ == '__main__':
    run_cli(main)
