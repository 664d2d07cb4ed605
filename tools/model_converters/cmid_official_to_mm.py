"""Convert an official CMID release checkpoint (NJU-LHRS/official-CMID) for mm* backbones.

    python tools/model_converters/cmid_official_to_mm.py CMID_Swin-B_200ep.pth \
        checkpoints/cmid_swin-base_official_mmseg.pth --layout mmseg

The student backbone (keys ``online_encoder.model.*``: a timm ResNet-50 or an mmcls-style /
Microsoft-style Swin Transformer) becomes ``{'state_dict': ..., 'meta': ...}`` in the mmpretrain,
mmseg or mmdet backbone layout, as ``tools/model_converters/extract_backbone.py`` writes it.
"""
import argparse

import cmid_mm  # noqa: F401  registers the checkpoint safe globals for weights_only loading
from cmid_mm.utils import CLIError, run_cli
from cmid_mm.checkpoint.convert import (LAYOUTS, OFFICIAL_PREFIX, CheckpointConvertError,
                                        load_checkpoint_state_dict, mmpretrain_to_layout,
                                        official_to_mmpretrain, write_backbone)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='official CMID checkpoint')
    parser.add_argument('out', help='output .pth file')
    parser.add_argument('--layout', choices=LAYOUTS, default='mmpretrain',
                        help='key layout of the target library backbone (default: mmpretrain)')
    parser.add_argument('--prefix',
                        help="prefix added to every output key, e.g. 'backbone.' (default: none, "
                        "except 'backbone.' for --layout mmdet with Swin, which mmdet's "
                        'SwinTransformer requires)')
    parser.add_argument('--source-prefix', default=OFFICIAL_PREFIX,
                        help=f"prefix of the student backbone keys (default: '{OFFICIAL_PREFIX}'; "
                        "'' for a bare backbone state dict)")
    return parser.parse_args()


def main():
    args = parse_args()
    try:
        state_dict = load_checkpoint_state_dict(args.checkpoint)
        backbone, arch = official_to_mmpretrain(state_dict, args.source_prefix, args.checkpoint)
        converted = mmpretrain_to_layout(backbone, arch, args.layout)
    except CheckpointConvertError as e:
        raise CLIError(str(e)) from e
    write_backbone(converted, arch, args)


if __name__ == '__main__':
    run_cli(main)
