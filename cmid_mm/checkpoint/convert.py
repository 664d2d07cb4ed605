"""Backbone state-dict conversion (:func:`convert_backbone`) behind ``tools/model_converters/*.py``.

A CMID backbone is an mmpretrain ``ResNet`` / ``SwinTransformer`` / ``VisionTransformer`` (its
training checkpoint stores the student as ``backbone.*``). Downstream libraries differ:

* ResNet: mmpretrain, mmseg and mmdet ``ResNet`` (plain stem) have the same keys.
* Swin: mmpretrain, mmseg and mmdet ``SwinTransformer`` have the same keys; the only difference
  is which per-stage output norms (``norm{i}``) exist, which depends on ``out_indices``. CMID
  pretrains with ``out_indices=(3, )``, so ``norm0-2`` of a 4-output dense-task backbone start
  from scratch (they have no pretrained counterpart). mmseg / mmdet pad small feature maps to
  the window; ``pad_small_map=True`` makes mmpretrain's Swin compute the same.
* ViT: mmseg's ``VisionTransformer`` wraps ``nn.MultiheadAttention`` (``attn.attn.in_proj_*``,
  ``attn.attn.out_proj.*``) where mmpretrain's has ``attn.qkv`` / ``attn.proj`` (same q, k, v
  row order). Build it with ``patch_bias=True, final_norm=True`` (mmpretrain's patch embedding
  has a bias and CMID's ViT a final norm; mmseg defaults to neither). mmdet has no plain ViT
  backbone; mmdet configs use ``mmpretrain.VisionTransformer``.

Official CMID releases (github.com/NJU-LHRS/official-CMID) store the student under
``online_encoder.model.``: a timm ResNet (= torchvision keys, = mmpretrain keys without ``fc``) or
an mmcls-0.x ``SwinTransformer`` (= mmpretrain keys). Microsoft-Swin / timm-Swin key layouts are
converted too, since Swin-B weights are also passed around in those layouts.
"""
import argparse
import io
import os.path as osp
import re

import torch

from .loader import CheckpointError, read_checkpoint

LAYOUTS = ('mmpretrain', 'mmseg', 'mmdet')
OFFICIAL_PREFIX = 'online_encoder.model.'


class CheckpointConvertError(CheckpointError):
    """A checkpoint that cannot be converted; the message names the file or key."""


# Training scripts outside mmengine (the official CMID release among them) often save their
# ``argparse.Namespace``; it is a plain attribute container, safe to rebuild in a weights-only load.
CONVERTER_SAFE_GLOBALS = [argparse.Namespace]


def load_checkpoint_state_dict(path):
    """The state dict of a checkpoint: its ``state_dict`` or ``model`` entry, or the file itself.

    Read by :func:`cmid_mm.checkpoint.read_checkpoint` (weights only, plus
    ``CONVERTER_SAFE_GLOBALS`` and the official trainer's stand-ins): a file holding any other
    pickled object is refused, and nothing in it is executed.
    """
    from .official import official_safe_globals
    ckpt = read_checkpoint(path, extra_safe_globals=CONVERTER_SAFE_GLOBALS +
                           official_safe_globals())
    if not isinstance(ckpt, dict):
        raise CheckpointConvertError(f'{path} is not a checkpoint dict (got {type(ckpt).__name__})')
    for key in ('state_dict', 'model'):
        if isinstance(ckpt.get(key), dict):
            ckpt = ckpt[key]
            break
    state_dict = {k: v for k, v in ckpt.items() if isinstance(v, torch.Tensor)}
    if not state_dict:
        raise CheckpointConvertError(f'{path} has no tensors (keys: {sorted(ckpt)[:10]})')
    return state_dict


def strip_prefix(state_dict, prefix, source='the checkpoint'):
    """Keys starting with ``prefix``, without it; an error listing the prefixes found if none."""
    out = {k[len(prefix):]: v for k, v in state_dict.items() if k.startswith(prefix)}
    if not out:
        found = sorted({k.split('.')[0] + '.' for k in state_dict})
        raise CheckpointConvertError(
            f"no key of {source} starts with '{prefix}' (top-level prefixes: {found[:12]})")
    return out


def detect_arch(state_dict, source='the checkpoint'):
    """'resnet', 'swin' or 'vit' from the keys of an mmpretrain-layout backbone."""
    if 'layer1.0.conv1.weight' in state_dict:
        return 'resnet'
    if any(k.startswith('stages.0.blocks.0.attn.w_msa.') for k in state_dict):
        return 'swin'
    if 'layers.0.attn.qkv.weight' in state_dict and 'patch_embed.projection.weight' in state_dict:
        return 'vit'
    raise CheckpointConvertError(
        f'{source} is not an mmpretrain ResNet, SwinTransformer or VisionTransformer backbone '
        f'(first keys: {list(state_dict)[:5]})')


def _count(state_dict, pattern):
    """Number of distinct integers captured by ``pattern`` (one group) over the keys."""
    return len({m.group(1) for k in state_dict for m in [re.match(pattern, k)] if m})


def backbone_cfg_from_state_dict(state_dict, source='the checkpoint'):
    """The mmpretrain backbone config (``ResNet``, ``SwinTransformer``, ``VisionTransformer``)
    whose weights these are, read from key names and tensor shapes alone.

    For tools that are given only weights: the architecture facts are in the tensors, and a
    checkpoint's embedded config is Python that must never run.
    """
    arch = detect_arch(state_dict, source)
    if arch == 'resnet':
        blocks = [_count(state_dict, rf'layer{i}\.(\d+)\.') for i in range(1, 5)]
        bottleneck = 'layer1.0.conv3.weight' in state_dict
        from mmpretrain.models.backbones import ResNet
        depth = next((d for d, (block, stages) in ResNet.arch_settings.items()
                      if list(stages) == blocks and (block.__name__ == 'Bottleneck') == bottleneck),
                     None)
        if depth is None:
            raise CheckpointConvertError(f'{source}: a ResNet with {blocks} blocks per stage is '
                                         'not a standard depth; give a model config')
        stem = state_dict['conv1.weight']
        return dict(type='ResNet', depth=depth, in_channels=int(stem.shape[1]),
                    stem_channels=int(stem.shape[0]),
                    base_channels=int(state_dict['layer1.0.conv1.weight'].shape[0]),
                    out_indices=(3, ))
    if arch == 'swin':
        embed = state_dict['patch_embed.projection.weight']
        depths = [_count(state_dict, rf'stages\.{i}\.blocks\.(\d+)\.') for i in range(4)]
        heads = [state_dict[f'stages.{i}.blocks.0.attn.w_msa.relative_position_bias_table']
                 .shape[1] for i in range(4)]
        table = state_dict['stages.0.blocks.0.attn.w_msa.relative_position_bias_table'].shape[0]
        window = (int(round(table**0.5)) + 1) // 2
        out_indices = tuple(i for i in range(4) if f'norm{i}.weight' in state_dict) or (3, )
        return dict(type='SwinTransformer', in_channels=int(embed.shape[1]),
                    arch=dict(embed_dims=int(embed.shape[0]), depths=depths, num_heads=heads),
                    window_size=window, patch_size=int(embed.shape[-1]), img_size=window * 32,
                    out_indices=out_indices[-1:])
    embed = state_dict['patch_embed.projection.weight']
    dims, patch = int(embed.shape[0]), int(embed.shape[-1])
    num_layers = _count(state_dict, r'layers\.(\d+)\.')
    ffn = int(state_dict['layers.0.ffn.layers.0.0.weight'].shape[0])
    # The head count is not in the weights (qkv is (3D, D) for any count): take it from the
    # mmpretrain arch of the same width, depth and FFN size, and refuse to guess otherwise.
    from mmpretrain.models.backbones import VisionTransformer
    heads = {a['num_heads'] for a in VisionTransformer.arch_zoo.values()
             if (a['embed_dims'], a['num_layers'], a['feedforward_channels']) ==
             (dims, num_layers, ffn)}
    if len(heads) != 1:
        raise CheckpointConvertError(
            f'{source}: a ViT of width {dims}, {num_layers} layers, FFN {ffn} is not one of '
            "mmpretrain's archs, so its head count is unknown; give a model config")
    tokens = state_dict['pos_embed'].shape[1] if 'pos_embed' in state_dict else 197
    side = int(round((tokens - ('cls_token' in state_dict))**0.5))
    return dict(type='VisionTransformer', in_channels=int(embed.shape[1]),
                arch=dict(embed_dims=dims, num_layers=num_layers, num_heads=heads.pop(),
                          feedforward_channels=ffn),
                img_size=side * patch, patch_size=patch, out_type='featmap',
                final_norm='ln1.weight' in state_dict,
                with_cls_token='cls_token' in state_dict)


_VIT_TO_MMSEG = ((re.compile(r'^(layers\.\d+\.attn\.)qkv\.(weight|bias)$'), r'\1attn.in_proj_\2'),
                 (re.compile(r'^(layers\.\d+\.attn\.)proj\.'), r'\1attn.out_proj.'))


def mmpretrain_to_layout(state_dict, arch, layout):
    """Convert an mmpretrain-layout backbone state dict to ``layout``'s backbone of ``arch``."""
    if layout not in LAYOUTS:
        raise CheckpointConvertError(f"unknown layout '{layout}', choose from {LAYOUTS}")
    if arch in ('resnet', 'swin') or layout == 'mmpretrain':
        return dict(state_dict)
    if layout == 'mmdet':  # arch == 'vit'
        raise CheckpointConvertError(
            "mmdet has no plain ViT backbone: use type='mmpretrain.VisionTransformer' in the mmdet "
            'config and --layout mmpretrain')
    out = {}
    for key, value in state_dict.items():
        for pattern, repl in _VIT_TO_MMSEG:
            key = pattern.sub(repl, key)
        out[key] = value
    return out


def official_resnet_to_mmpretrain(state_dict):
    """timm / torchvision ResNet keys equal mmpretrain ``ResNet`` keys; drop the classifier."""
    return {k: v for k, v in state_dict.items() if not k.startswith('fc.')}


def _relative_position_index(window_size):
    """The (persistent) index buffer of mmpretrain's ``WindowMSA``, which timm does not save."""
    from mmpretrain.models.utils.attention import WindowMSA
    return WindowMSA(embed_dims=1, window_size=(window_size, window_size),
                     num_heads=1).relative_position_index.clone()


def official_swin_to_mmpretrain(state_dict):
    """Microsoft-Swin or timm-Swin keys (``layers.i.blocks.j...``) -> mmpretrain Swin keys.

    mmcls-0.x keys (``stages.*``, the official CMID code) are already mmpretrain's. In the
    Microsoft layout stage i ends with ``layers.i.downsample``; timm >= 0.9 moved it to the start
    of stage i+1 (``layers.{i+1}.downsample``).
    """
    if any(k.startswith('stages.') for k in state_dict):
        return {k: v for k, v in state_dict.items()
                if not k.startswith('head.') and not k.endswith('attn_mask')}
    stages = sorted({int(m.group(1)) for k in state_dict
                     for m in [re.match(r'layers\.(\d+)\.', k)] if m})
    if not stages:
        raise CheckpointConvertError('not a Swin checkpoint: no stages.* or layers.* keys '
                                     f'(first keys: {list(state_dict)[:5]})')
    last = stages[-1]
    timm_style = any(k.startswith(f'layers.{last}.downsample.') for k in state_dict)
    shifted = {}
    for key, value in state_dict.items():
        if key.startswith('head.') or key.endswith('attn_mask'):
            continue
        m = re.match(r'layers\.(\d+)\.downsample\.(.*)', key)
        if timm_style and m:
            key = f'layers.{int(m.group(1)) - 1}.downsample.{m.group(2)}'
        shifted[key] = value
    # mmdet's converter renames blocks and reorders the patch-merging channels from the
    # official concat order to the nn.Unfold order that mmpretrain / mmseg / mmdet all use.
    from mmdet.models.backbones.swin import swin_converter
    out = {k[len('backbone.'):]: v for k, v in swin_converter(shifted).items()}
    if 'norm.weight' in out:  # the final norm is the last stage's output norm
        out[f'norm{last}.weight'] = out.pop('norm.weight')
        out[f'norm{last}.bias'] = out.pop('norm.bias')
    for key in [k for k in out if k.endswith('w_msa.relative_position_bias_table')]:
        index_key = key.replace('relative_position_bias_table', 'relative_position_index')
        if index_key not in out:
            window = (int(round(out[key].shape[0]**0.5)) + 1) // 2
            out[index_key] = _relative_position_index(window)
    return out


def official_to_mmpretrain(state_dict, prefix=OFFICIAL_PREFIX, source='the checkpoint'):
    """Student backbone of an official CMID checkpoint -> (mmpretrain state dict, arch)."""
    backbone = strip_prefix(state_dict, prefix, source) if prefix else dict(state_dict)
    if 'layer1.0.conv1.weight' in backbone:
        return official_resnet_to_mmpretrain(backbone), 'resnet'
    if any(k.startswith(('stages.', 'layers.')) for k in backbone) and \
            any('relative_position_bias_table' in k for k in backbone):
        return official_swin_to_mmpretrain(backbone), 'swin'
    raise CheckpointConvertError(
        f'{source}: the keys under {prefix!r} are neither a ResNet (layer1.0.conv1.weight) nor '
        f'a Swin Transformer (relative_position_bias_table); first keys: {list(backbone)[:5]}')


def default_prefix(arch, layout):
    """Output key prefix: none, except for mmdet's Swin, whose ``init_weights`` keeps only keys
    starting with ``backbone.`` (mmpretrain / mmseg backbones and mmdet's ResNet take plain
    keys)."""
    return 'backbone.' if (arch, layout) == ('swin', 'mmdet') else ''


def add_prefix(state_dict, prefix):
    return {f'{prefix}{k}': v for k, v in state_dict.items()} if prefix else dict(state_dict)


def save_checkpoint_atomic(obj, path):
    """``torch.save`` through a temporary file and a rename: no half-written file."""
    from .atomic_local_backend import atomic_write  # the one atomic writer (also checkpoints')
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    atomic_write(buffer.getvalue(), path)


def add_conversion_args(parser, source_prefix, source_help):
    """The arguments the backbone converter tools share after their ``checkpoint``: ``out``,
    ``--layout``, ``--prefix`` and ``--source-prefix`` (default ``source_prefix``)."""
    parser.add_argument('out', help='output .pth file')
    parser.add_argument('--layout', choices=LAYOUTS, default='mmpretrain',
                        help='key layout of the target library backbone (default: mmpretrain)')
    parser.add_argument('--prefix',
                        help="prefix added to every output key, e.g. 'backbone.' (default: none, "
                        "except 'backbone.' for --layout mmdet with Swin, which mmdet's "
                        'SwinTransformer requires)')
    parser.add_argument('--source-prefix', default=source_prefix, help=source_help)
    return parser


def convert_backbone(checkpoint, out, layout='mmpretrain', prefix=None,
                     source_prefix='backbone.', official=False):
    """Take the backbone under ``source_prefix`` of ``checkpoint`` (a CMID training checkpoint,
    or with ``official`` an official CMID release), convert it to ``layout``'s keys and save it
    atomically as ``{'state_dict', 'meta'}`` at ``out``, its keys prefixed by ``prefix`` (None:
    :func:`default_prefix`). Returns the line the tools print.

    Raises:
        CheckpointError: a checkpoint that cannot be read or converted, naming file and key.
    """
    from ..version import __version__
    state_dict = load_checkpoint_state_dict(checkpoint)
    if official:
        backbone, arch = official_to_mmpretrain(state_dict, source_prefix, checkpoint)
    else:
        backbone = strip_prefix(state_dict, source_prefix, checkpoint)
        arch = detect_arch(backbone, f'{checkpoint} ({source_prefix}*)')
    converted = mmpretrain_to_layout(backbone, arch, layout)
    prefix = default_prefix(arch, layout) if prefix is None else prefix
    meta = dict(arch=arch, layout=layout, prefix=prefix, source=osp.abspath(checkpoint),
                source_prefix=source_prefix, cmid_mm_version=__version__)
    save_checkpoint_atomic(dict(state_dict=add_prefix(converted, prefix), meta=meta), out)
    return (f"{out}: {len(converted)} {arch} backbone tensors, {layout} layout, "
            f"prefix '{prefix}'")
