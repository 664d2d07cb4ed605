"""Write the predicted change maps of a test run as PNG files."""
import os
import os.path as osp

import mmcv
import numpy as np
from mmengine.hooks import Hook
from mmseg.registry import HOOKS


@HOOKS.register_module()
class ChangeMapHook(Hook):
    """After each test iteration, save every predicted change map as ``out_dir/<date-A stem>.png``.

    Pixels are 0 (no change) or 255 (change), the LEVIR-CD label convention, so maps open as
    images and compare directly with the labels. mmseg's ``SegVisualizationHook`` draws overlays
    on one image instead, which fits neither the two dates nor a map to be scored. Disabled while
    ``out_dir`` is None; enable with
    ``tools/test.py CFG CKPT --cfg-options default_hooks.visualization.out_dir=DIR``.
    """

    def __init__(self, out_dir=None, change_value: int = 255):
        self.out_dir = out_dir
        self.change_value = change_value

    def after_test_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if self.out_dir is None:
            return
        os.makedirs(self.out_dir, exist_ok=True)
        for sample in outputs:
            pred = sample.pred_sem_seg.data.squeeze(0).cpu().numpy()
            stem = osp.splitext(osp.basename(sample.img_path))[0]
            mmcv.imwrite((pred > 0).astype(np.uint8) * self.change_value,
                         osp.join(self.out_dir, f'{stem}.png'))
