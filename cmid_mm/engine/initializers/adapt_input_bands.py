from typing import Optional, Sequence

from mmengine.registry import WEIGHT_INITIALIZERS

from cmid_mm.models.utils import register_band_adapter


@WEIGHT_INITIALIZERS.register_module(name='AdaptInputBands')
class AdaptInputBandsInit:
    """Let an RGB (K-band) checkpoint load into this N-band model (rule: ``adapt_input_weight``).

    Set it as the ``init_cfg`` of the model that holds the backbone (segmentor, classifier, CMID),
    and keep the backbone's own ``init_cfg=dict(type='Pretrained', ...)``::

        model = dict(
            type='EncoderDecoder',
            init_cfg=dict(type='AdaptInputBands', rgb_bands=(2, 1, 0)),
            backbone=dict(type='mmpretrain.ResNet', in_channels=6, init_cfg=dict(
                type='Pretrained', checkpoint='cmid_rgb.pth', prefix='backbone.')), ...)

    Why not a ``Pretrained`` variant: mmengine loads ``type='Pretrained'`` after the children's
    own init, and mmpretrain's ResNet/Swin/ViT skip their post-init (zero-init residuals, position
    embeddings) only when their ``init_cfg['type'] == 'Pretrained'``; another type would have
    those overwrite the loaded weights. A parent's non-``Pretrained`` init runs before its
    children's, so this one only installs load hooks (``register_band_adapter``) that the
    backbone's ``Pretrained`` load then goes through.

    Args:
        rgb_bands: for each checkpoint input band in order (R, G, B for mmpretrain RGB
            checkpoints), the 0-based model input channel that receives it.
        alpha: scale of the mean filter of the other channels (None: K / N).
    """

    def __init__(self, rgb_bands: Sequence[int] = (0, 1, 2), alpha: Optional[float] = None):
        self.rgb_bands = tuple(rgb_bands)
        self.alpha = alpha

    def __call__(self, module):
        register_band_adapter(module, self.rgb_bands, self.alpha)
