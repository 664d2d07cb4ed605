"""Mixed precision on CPU: the forward under ``torch.autocast('cpu', bfloat16)``."""
from contextlib import contextmanager
from typing import Union

import torch
from mmengine.optim import OptimWrapper
from mmengine.registry import OPTIM_WRAPPERS
from mmengine.runner.amp import autocast


@OPTIM_WRAPPERS.register_module()
class CPUAutocastOptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose ``optim_context`` (the model's forward and loss in ``train_step``)
    runs under CPU autocast, bf16 by default: convolutions and matmuls in bf16, what autocast
    keeps in fp32 (reductions, norms, FFTs, losses) in fp32; parameters, gradients and the
    optimizer stay fp32. bf16 has fp32's exponent range, so no loss scaling is needed.

    mmengine's ``AmpOptimWrapper`` asserts a GPU (CUDA, NPU, MLU or MUSA) in ``__init__``, so it
    cannot run on CPU; its autocast helper can, and is what this uses.
    """

    def __init__(self, dtype: Union[str, torch.dtype] = 'bfloat16', **kwargs):
        super().__init__(**kwargs)
        self.cast_dtype = getattr(torch, dtype) if isinstance(dtype, str) else dtype
        if self.cast_dtype not in (torch.bfloat16, torch.float16):
            raise ValueError(f'CPUAutocastOptimWrapper: optim_wrapper.dtype must be bfloat16 '
                             f'or float16, got {dtype!r}')

    @contextmanager
    def optim_context(self, model: torch.nn.Module):
        with super().optim_context(model), autocast(device_type='cpu', dtype=self.cast_dtype):
            yield
