"""Export the student backbone of the last (and best) training checkpoint when training ends."""
import os.path as osp
from typing import Optional

from mmengine.dist import master_only
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS

from ...checkpoint.convert import convert_backbone


@HOOKS.register_module()
class BackboneExportHook(Hook):
    """After training, write the student backbone of the last checkpoint (and of the best one,
    when ``CheckpointHook(save_best=...)`` kept one) as a small backbone-only file beside it.

    A full CMID checkpoint (student, teacher, optimizer moments, queue) stays for resuming;
    downstream needs only the backbone: ``{'state_dict': <backbone keys>, 'meta': {...}}`` of
    ``tools/model_converters/extract_backbone.py``, loadable by
    ``init_cfg=dict(type='Pretrained', checkpoint=...)`` of mmpretrain / mmseg / mmdet backbones.

    Args:
        filename: name in the work dir; ``{which}`` becomes ``last`` or ``best``.
        layout: key layout of the target library (``'mmpretrain'``, ``'mmseg'``, ``'mmdet'``).
        prefix: prefix added to every key (None: none, except mmdet's Swin, as the tool).
        source_prefix: ``'backbone.'`` (the student) or ``'teacher.module.backbone.'``.
    """

    priority = 'VERY_LOW'  # after CheckpointHook has written the last checkpoint

    def __init__(self, filename: str = 'student_backbone_{which}.pth',
                 layout: str = 'mmpretrain', prefix: Optional[str] = None,
                 source_prefix: str = 'backbone.'):
        self.filename = filename
        self.layout = layout
        self.prefix = prefix
        self.source_prefix = source_prefix

    @master_only
    def after_train(self, runner) -> None:
        marker = osp.join(runner.work_dir, 'last_checkpoint')
        if not osp.isfile(marker):
            raise FileNotFoundError(
                f'BackboneExportHook: no {marker}: training saved no checkpoint to export; keep '
                'default_hooks.checkpoint (CheckpointHook) with save_last=True')
        with open(marker) as f:
            sources = dict(last=f.read().strip())
        best = runner.message_hub.get_info('best_ckpt')
        if best:
            sources['best'] = best
        for which, checkpoint in sources.items():
            out = osp.join(runner.work_dir, self.filename.format(which=which))
            runner.logger.info('BackboneExportHook: ' + convert_backbone(
                checkpoint, out, self.layout, self.prefix, self.source_prefix))
