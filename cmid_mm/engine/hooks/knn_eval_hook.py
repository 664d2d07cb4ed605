"""Periodic weighted-kNN (and optional linear-probe) accuracy of the student backbone."""
import json
import os.path as osp
from typing import List, Optional

from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS
from mmpretrain.utils import get_ori_model

from ...evaluation.features import normalizer_from
from ...evaluation.frozen_eval import build_labelled_loader, evaluate_frozen


@HOOKS.register_module()
class KNNEvalHook(Hook):
    """Weighted kNN top-1 of the frozen student backbone on a small labelled set, during training.

    Runs every ``interval`` epochs (``by_epoch=True``, at the epoch's last iteration) or
    iterations, and at the last iteration. The accuracy goes to the MessageHub as
    ``train/{prefix}_top1`` (so the LoggerHook of the same iteration writes it to the log,
    ``scalars.json`` and TensorBoard; for iteration-based runs use a multiple of the logger
    interval) and to the log as one line. Features: global-average-pooled last stage, normalised
    with the model's data preprocessor statistics; the backbone is evaluated in eval mode and
    put back in train mode.

    Args:
        bank_dataloader: dataloader config of the labelled memory bank (e.g. a train split).
        query_dataloader: dataloader config of the labelled queries (a held-out split).
        interval: epochs or iterations between evaluations.
        k, temperature: weighted kNN parameters (official defaults 20, 0.07).
        probe: also fit the logistic-regression probe (``train/{prefix}_probe_top1``).
        eval_at_start: also evaluate before the first iteration: the student at its
            initialisation, i.e. this run's random-init value (logged as iteration 0; not sent
            to the MessageHub, which would log it under the first logged iteration).

    Every evaluation is kept in ``history``; at the end of training the hook logs the curve in
    words (first -> last, best) and writes it to ``<log_dir>/{prefix}_curve.json``.
    """

    priority = 'NORMAL'  # before the LoggerHook (BELOW_NORMAL): logged in the same iteration

    def __init__(self, bank_dataloader: dict, query_dataloader: dict, interval: int = 1,
                 by_epoch: bool = True, k: int = 20, temperature: float = 0.07,
                 probe: bool = False, prefix: str = 'knn', eval_at_start: bool = False):
        if interval < 1:
            raise ValueError(f'KNNEvalHook: interval={interval} must be >= 1')
        self.bank_cfg, self.query_cfg = bank_dataloader, query_dataloader
        self.interval, self.by_epoch = interval, by_epoch
        self.k, self.temperature, self.probe, self.prefix = k, temperature, probe, prefix
        self.eval_at_start = eval_at_start
        self._loaders: Optional[tuple] = None
        self.last_result: Optional[dict] = None
        self.history: List[dict] = []

    def _build_loaders(self) -> None:
        # Built once: the datasets are small and their images are re-read each evaluation.
        self._loaders = (build_labelled_loader(self.bank_cfg),
                         build_labelled_loader(self.query_cfg))

    def before_train(self, runner) -> None:
        self._build_loaders()
        if self.eval_at_start and runner.iter == 0:
            self.evaluate(runner, publish=False, iteration=0)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if self.by_epoch:
            due = (self.end_of_epoch(runner.train_dataloader, batch_idx)
                   and self.every_n_epochs(runner, self.interval))
        else:
            due = self.every_n_train_iters(runner, self.interval)
        if due or self.is_last_train_iter(runner):
            self.evaluate(runner, iteration=runner.iter + 1)  # iterations done, as logged

    def evaluate(self, runner, publish: bool = True, iteration: Optional[int] = None) -> dict:
        """Evaluate now; ``publish`` sends the accuracies to the MessageHub (the scalar log);
        ``iteration`` (default ``runner.iter``) is the number of iterations trained so far."""
        iteration = runner.iter if iteration is None else iteration
        model = get_ori_model(runner.model)
        if self._loaders is None:
            self._build_loaders()
        result = evaluate_frozen(model.backbone, normalizer_from(model.data_preprocessor),
                                 *self._loaders, k=self.k, temperature=self.temperature,
                                 probe=self.probe, progress=False)
        if publish:
            runner.message_hub.update_scalar(f'train/{self.prefix}_top1', result['knn_top1'])
        line = (f'kNN (k={self.k}, T={self.temperature}) top-1 at iteration {iteration}: '
                f'{result["knn_top1"]:.2f} % on {result["num_query"]} queries, bank '
                f'{result["num_bank"]}')
        if self.probe:
            if publish:
                runner.message_hub.update_scalar(f'train/{self.prefix}_probe_top1',
                                                 result['probe_top1'])
            line += f'; linear probe top-1: {result["probe_top1"]:.2f} %'
        runner.logger.info(f'{line} (majority class {result["majority"]:.2f} %)')
        self.last_result = result
        self.history.append(dict(iter=iteration, top1=result['knn_top1'],
                                 probe_top1=result.get('probe_top1'),
                                 majority=result['majority']))
        return result

    def after_train(self, runner) -> None:
        if not self.history:
            return
        runner.logger.info(curve_in_words(self.history))
        with open(osp.join(runner.log_dir, f'{self.prefix}_curve.json'), 'w') as f:
            json.dump(self.history, f, indent=1)


def curve_in_words(history: List[dict]) -> str:
    """``kNN top-1 50.0 -> 75.0 over iterations 0..500 (iteration 0 = random init; ...)``."""
    first, last = history[0], history[-1]
    best = max(history, key=lambda h: h['top1'])
    start = ('iteration 0 = this run\'s random init' if first['iter'] == 0 else
             f'first evaluated at iteration {first["iter"]}')
    return (f'kNN top-1 {first["top1"]:.1f} -> {last["top1"]:.1f} over iterations '
            f'{first["iter"]}..{last["iter"]} ({start}; best {best["top1"]:.1f} at iteration '
            f'{best["iter"]}; majority class {last["majority"]:.1f}; {len(history)} evaluations)')
