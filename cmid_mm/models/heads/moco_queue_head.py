import torch
import torch.nn.functional as F
from mmengine.dist import all_gather
from mmpretrain.models.heads import ContrastiveHead
from mmpretrain.registry import MODELS


@MODELS.register_module()
class MoCoQueueHead(ContrastiveHead):
    """Symmetric MoCo v2 InfoNCE against a queue of teacher keys (CMID's global branch).

    ``loss(query, key)`` takes the student embeddings and teacher keys of both views, each stacked
    as ``[view1; view2]``, scores student(view1) against teacher(view2) and student(view2) against
    teacher(view1), averages the two, then enqueues the teacher keys of both views. Keys are
    gathered across processes exactly once per step (the official DDP code enqueues duplicates),
    view by view in rank order, so the queue of an N-process run equals the one of a single
    process with N times the batch.
    """

    def __init__(self, queue_len: int = 65536, feat_dim: int = 256, temperature: float = 0.2,
                 loss: dict = dict(type='CrossEntropyLoss'), init_cfg=None):
        super().__init__(loss=loss, temperature=temperature, init_cfg=init_cfg)
        self.queue_len = queue_len
        self.register_buffer('queue', F.normalize(torch.randn(feat_dim, queue_len), dim=0))
        self.register_buffer('queue_ptr', torch.zeros(1, dtype=torch.long))

    def loss(self, query: torch.Tensor, key: torch.Tensor) -> torch.Tensor:
        q1, q2 = F.normalize(query, dim=1).chunk(2)
        k1, k2 = F.normalize(key.detach(), dim=1).chunk(2)
        queue = self.queue.clone().detach()
        loss = (self._info_nce(q1, k2, queue) + self._info_nce(q2, k1, queue)) / 2
        self._enqueue(k1, k2)
        return loss

    def _info_nce(self, q: torch.Tensor, k: torch.Tensor, queue: torch.Tensor) -> torch.Tensor:
        pos = (q * k).sum(dim=1, keepdim=True)
        neg = q @ queue
        return super().loss(pos, neg)

    @torch.no_grad()
    def _enqueue(self, *view_keys: torch.Tensor) -> None:
        keys = torch.cat([torch.cat(all_gather(k)) for k in view_keys])
        if not torch.isfinite(keys).all():  # never let one bad step poison the queue
            return
        n = keys.shape[0]
        if n > self.queue_len:
            raise ValueError(f'{n} keys per step exceed the queue length {self.queue_len}; '
                             'set global_head.queue_len >= 2 x batch size x processes')
        ptr = int(self.queue_ptr)
        idx = (ptr + torch.arange(n, device=keys.device)) % self.queue_len
        self.queue[:, idx] = keys.T.to(self.queue.dtype)
        self.queue_ptr[0] = (ptr + n) % self.queue_len
