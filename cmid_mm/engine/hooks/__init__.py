"""Training hooks of cmid_mm, registered in mmpretrain's HOOKS (``FiniteLossHook``, for the
downstream tasks, in mmengine's root HOOKS)."""
from .backbone_export_hook import BackboneExportHook
from .channels_last_hook import ChannelsLastHook
from .collapse_monitor_hook import CollapseMonitorHook
from .finite_loss_hook import FiniteLossHook
from .knn_eval_hook import KNNEvalHook
from .reconstruction_vis_hook import ReconstructionVisHook
from .teacher_temp_warmup_hook import TeacherTempWarmupHook

__all__ = ['BackboneExportHook', 'ChannelsLastHook', 'CollapseMonitorHook', 'FiniteLossHook', 'KNNEvalHook',
           'ReconstructionVisHook', 'TeacherTempWarmupHook']
