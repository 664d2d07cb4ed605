"""Convert an official CMID release checkpoint (NJU-LHRS/official-CMID) for mm* backbones.

    python tools/model_converters/cmid_official_to_mm.py CMID_Swin-B_200ep.pth \
        checkpoints/cmid_swin-base_official_mmseg.pth --layout mmseg

The student backbone (keys ``online_encoder.model.*``: a timm ResNet-50 or an mmcls-style /
Microsoft-style Swin Transformer) becomes ``{'state_dict': ..., 'meta': ...}`` in the mmpretrain,
mmseg or mmdet backbone layout, as ``tools/model_converters/extract_backbone.py`` writes it.
"""
import argparse

from cmid_mm.checkpoint.convert import OFFICIAL_PREFIX, add_conversion_args, convert_backbone
from cmid_mm.utils import run_cli


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='official CMID checkpoint')
    args = add_conversion_args(
        parser, OFFICIAL_PREFIX, f"prefix of the student backbone keys (default: "
        f"'{OFFICIAL_PREFIX}'; '' for a bare backbone state dict)").parse_args()
    print(convert_backbone(args.checkpoint, args.out, args.layout, args.prefix,
                           args.source_prefix, official=True))


if __name__ == '__main__':
    run_cli(main)
