from typing import Dict, List, Optional

import torch
import torch.nn as nn
from mmengine.dist import is_distributed
from mmengine.logging import MessageHub, print_log
from mmengine.model.weight_init import trunc_normal_
from mmpretrain.models.selfsup import BaseSelfSupervisor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..utils.foreach_ema import ForeachCosineEMA
from ..utils.mask_utils import fill_masked_with_mean
from ..utils.auto_width import fill_auto, has_auto, has_batch_norm, input_bands, probe_outputs


def disable_dropout(module: nn.Module) -> nn.Module:
    """Zero every dropout and drop-path rate in ``module`` (in place), whatever its mode.

    Covers ``nn.Dropout*`` (``p``), mmcv's ``DropPath`` (``drop_prob``) and attention modules
    that keep their attention-dropout rate as a float (mmpretrain's ``MultiheadAttention``:
    ``attn_drop``; ``nn.MultiheadAttention``: ``dropout``). BN and every other layer are left
    as they are.
    """
    for m in module.modules():
        if isinstance(m, nn.modules.dropout._DropoutNd):
            m.p = 0.
        for attr in ('drop_prob', 'attn_drop', 'dropout'):
            if isinstance(getattr(m, attr, None), float):
                setattr(m, attr, 0.)
    return module


@MODELS.register_module()
class CMID(BaseSelfSupervisor):
    """CMID: Contrastive Mask Image Distillation (Muhtar et al., TGRS 2023, arXiv 2304.09670).

    The student (backbone + mask token + necks + decoder) sees both block-masked views, the EMA
    teacher (backbone + global/local necks) both clean views. Three branches, each switched off
    by leaving its neck and head out of the config (ablations use this same code path):

    - global: MoCo v2 InfoNCE of pooled, projected features against a queue of teacher keys;
    - local: DINO-style distillation between position-matched cells of the two views;
    - reconstruction: masked pixels from the last feature map (focal-L1 + focal frequency loss).

    Args:
        backbone: a mask-token backbone (``CMIDResNet``, ``CMIDSwinTransformer``,
            ``CMIDVisionTransformer``); the mask token itself lives here, in ``mask_token``, so
            the backbone's state dict is exactly a plain mmpretrain backbone's.
        base_momentum: ``1 - m`` of the teacher EMA at the start; it follows a cosine to
            ``m = 1`` over all iterations (0.004 gives 0.996 -> 1). BN statistics and other
            buffers of the teacher are copied from the student every step.
        nonfinite_loss: what a NaN/inf loss term does: ``'raise'`` stops training with an error
            naming the term and the iteration, before the optimizer step, so the last checkpoint
            on disk stays the last good state; ``'skip'`` logs a warning, counts the skipped
            steps and leaves the student and optimizer state untouched for that step
            (single-process runs only: under DDP every process must run the backward pass).
        max_skipped_ratio: with ``'skip'``, a skipped step stops training with an error when
            more than this share of the steps seen so far (by this process, since it started)
            were skipped.
        min_steps_for_ratio: the share is checked from this many steps on; a few bad steps
            among the first ones are too few to tell a broken run.

    Widths may be ``'auto'`` (the base config's default), so that a backbone swap is one line:
    ``global_neck.in_channels``, ``local_neck.in_channels`` and ``decoder.in_channels`` become
    the channels of the backbone's last output, ``decoder.encoder_stride`` its stride (32 for
    ResNet/Swin, the patch size for ViT), ``decoder.out_channels`` the input bands, and
    ``local_neck.with_bn`` is True when the backbone has BatchNorm layers (CNNs, as the official
    code) and False otherwise (Swin, ViT). They are read from the built backbone by one forward
    pass of a small zero image (eval mode, no gradient, no random numbers drawn).

    The teacher never applies dropout or drop-path, whatever the student's rates (it would make
    the targets random); its BN layers run like the student's, with the student's statistics.
    """

    def __init__(self, backbone: dict, global_neck: Optional[dict] = None,
                 global_head: Optional[dict] = None, local_neck: Optional[dict] = None,
                 local_head: Optional[dict] = None, decoder: Optional[dict] = None,
                 rec_head: Optional[dict] = None, base_momentum: float = 0.004,
                 nonfinite_loss: str = 'raise', max_skipped_ratio: float = 0.05,
                 min_steps_for_ratio: int = 100, data_preprocessor: Optional[dict] = None,
                 init_cfg=None):
        super().__init__(backbone=backbone, data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if nonfinite_loss not in ('raise', 'skip'):
            raise ValueError(f"CMID: model.nonfinite_loss must be 'raise' or 'skip', "
                             f'got {nonfinite_loss!r}')
        if nonfinite_loss == 'skip' and is_distributed():
            raise ValueError("CMID: model.nonfinite_loss='skip' is for single-process runs (a "
                             "skipped backward stalls DDP); use 'raise' with several processes")
        if not 0. <= max_skipped_ratio <= 1.:
            raise ValueError(f'CMID: model.max_skipped_ratio={max_skipped_ratio} is not in [0, 1]')
        self.nonfinite_loss = nonfinite_loss
        self.max_skipped_ratio = max_skipped_ratio
        self.min_steps_for_ratio = min_steps_for_ratio
        self.skipped_steps = 0
        self.seen_steps = 0
        if has_auto(global_neck, local_neck, decoder):
            channels, stride = probe_outputs(self.backbone)[-1]
            auto = dict(in_channels=channels, with_bn=has_batch_norm(self.backbone))
            global_neck = fill_auto(global_neck, dict(in_channels=channels), 'model.global_neck')
            local_neck = fill_auto(local_neck, auto, 'model.local_neck')
            decoder = fill_auto(decoder, dict(in_channels=channels, encoder_stride=stride,
                                              out_channels=input_bands(self.backbone)),
                                'model.decoder')
        branches = dict(global_=(global_neck, global_head, 'global_neck', 'global_head'),
                        local=(local_neck, local_head, 'local_neck', 'local_head'),
                        rec=(decoder, rec_head, 'decoder', 'rec_head'))
        for neck_cfg, head_cfg, neck_key, head_key in branches.values():
            if (neck_cfg is None) != (head_cfg is None):
                missing = neck_key if neck_cfg is None else head_key
                raise ValueError(f'CMID: model.{missing} is None but its branch partner is set; '
                                 f'give both {neck_key} and {head_key}, or neither to switch '
                                 'the branch off')
            setattr(self, neck_key, MODELS.build(neck_cfg) if neck_cfg is not None else None)
            setattr(self, head_key, MODELS.build(head_cfg) if head_cfg is not None else None)
        if global_head is None and local_head is None and rec_head is None:
            raise ValueError('CMID: every branch is off; set at least one of '
                             'global_head, local_head, rec_head')
        if not hasattr(self.backbone, 'mask_token_dims'):
            raise TypeError(f'CMID needs a mask-token backbone (CMIDResNet, CMIDSwinTransformer, '
                            f'CMIDVisionTransformer), got {type(self.backbone).__name__}')
        self.mask_token = nn.Parameter(torch.zeros(1, self.backbone.mask_token_dims))

        # The teacher holds only what it runs: backbone plus the necks of enabled branches.
        self._teacher_keys = ['backbone'] + [
            k for k in ('global_neck', 'local_neck') if getattr(self, k) is not None]
        self.teacher = None
        if global_head is not None or local_head is not None:
            self.teacher = ForeachCosineEMA(self._student_parts(), momentum=base_momentum,
                                            end_momentum=0.)
            # The EMA copies parameters and buffers only, so the zero rates stay.
            disable_dropout(self.teacher.module)

    def init_weights(self):
        super().init_weights()
        trunc_normal_(self.mask_token, std=.02)

    def _student_parts(self) -> nn.ModuleDict:
        # Built on demand, not stored: a stored ModuleDict would duplicate the student's keys.
        return nn.ModuleDict({k: getattr(self, k) for k in self._teacher_keys})

    @staticmethod
    def stack_views(data_samples: List[DataSample], key: str, device) -> torch.Tensor:
        """Per-sample (2, ...) fields -> (2B, ...) ordered [view1 of all; view2 of all]."""
        stacked = torch.stack([torch.as_tensor(getattr(s, key)) for s in data_samples], dim=1)
        return stacked.flatten(0, 1).to(device)

    def encode_masked(self, images: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
        """The student's last feature map of block-masked ``images`` (N, C, H, W): masked pixels
        hold the image mean, masked positions of the backbone the mask token. ``masks`` (N, h, w)
        are the block masks of ``CMIDTwoViews``."""
        return self.backbone(fill_masked_with_mean(images, masks), mask=masks,
                             mask_token=self.mask_token)[-1]

    def reconstruct(self, images: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
        """The decoder's reconstruction (N, C, H, W) of block-masked ``images``."""
        return self.decoder(self.encode_masked(images, masks))

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        images = torch.cat(inputs)  # (2B, C, H, W): [view1; view2]
        masks = self.stack_views(data_samples, 'mask', images.device)
        student_feat = self.encode_masked(images, masks)
        teacher_feat = self._teacher_features(images)

        losses = {}
        if self.global_head is not None:
            keys = self._run_teacher('global_neck', (teacher_feat, ))[0]
            losses['loss_global'] = self.global_head.loss(
                self.global_neck((student_feat, ))[0], keys)
        if self.local_head is not None:
            boxes = self.stack_views(data_samples, 'crop_boxes', images.device)
            student_cells, teacher_cells = self.local_head.matched_cells(
                student_feat, teacher_feat, boxes, images.shape[-2:])
            targets = self._run_teacher('local_neck', teacher_cells)
            losses['loss_local'] = self.local_head.loss(self.local_neck(student_cells), targets)
        if self.rec_head is not None:
            losses['loss_rec'] = self.rec_head.decoded_loss(self.decoder, student_feat, images,
                                                             masks)
        return losses

    def _teacher_features(self, images: torch.Tensor) -> Optional[torch.Tensor]:
        """One EMA step of the teacher, then its last feature map of the clean ``images``
        (None when no branch needs a teacher)."""
        if self.teacher is None:
            return None
        self.teacher.update_parameters(self._student_parts())
        return self._run_teacher('backbone', images)[-1]

    @torch.no_grad()
    def _run_teacher(self, part: str, x):
        return getattr(self.teacher.module, part)(x)

    def parse_losses(self, losses: Dict[str, torch.Tensor]):
        """mmengine's loss parsing, with a guard against non-finite terms (see ``nonfinite_loss``).

        Runs in ``train_step`` of the model and of mmengine's DDP wrapper alike, before the
        optimizer step.
        """
        self.seen_steps += 1
        bad = [k for k, v in losses.items() if not torch.isfinite(v).all()]
        if not bad:
            return super().parse_losses(losses)
        it = MessageHub.get_current_instance().get_info('iter')
        msg = (f'non-finite {", ".join(f"{k}={losses[k].item()}" for k in bad)} '
               f'at iteration {it}')
        if self.nonfinite_loss == 'raise':
            raise FloatingPointError(
                f'{msg}: training stopped before the optimizer step; the last checkpoint in the '
                "work dir is the last good state (set model.nonfinite_loss='skip' to skip such "
                'steps instead)')
        self.skipped_steps += 1
        ratio = self.skipped_steps / self.seen_steps
        if self.seen_steps >= self.min_steps_for_ratio and ratio > self.max_skipped_ratio:
            raise FloatingPointError(
                f'{msg}: {self.skipped_steps} of the {self.seen_steps} steps so far had a '
                f'non-finite loss ({ratio:.1%} > model.max_skipped_ratio='
                f'{self.max_skipped_ratio:.1%}); training stopped: lower the learning rate or '
                'check the data, then resume from the last checkpoint')
        print_log(f'{msg}: step skipped ({self.skipped_steps} of {self.seen_steps} steps '
                  'skipped so far)', logger='current', level=30)
        _, log_vars = super().parse_losses(losses)
        # A loss that depends on no parameter: backward gives no gradient (grads stay None), so
        # the optimizer skips every parameter and its state is untouched.
        return torch.zeros((), requires_grad=True), log_vars
