"""What a pretraining log says: loss terms against their chance levels, the kNN curve, a PNG.

Used by ``tools/analysis_tools/loss_summary.py`` and the demo. A loss's *chance level* is the loss
of an encoder that cannot tell its inputs apart: ``ln(queue_len + 1)`` for the global InfoNCE
against ``queue_len`` keys (a full queue), ``ln(K)`` for the local cross-entropy over ``K``
prototypes (a uniform student against a uniform target). The reconstruction loss has none.
"""
import inspect
import json
import math
import os.path as osp
from typing import Dict, List, Optional

from mmpretrain.registry import MODELS


def _arg(head_cfg: dict, name: str):
    """``head_cfg[name]``, else the default of the registered class's ``__init__``."""
    if name in head_cfg:
        return head_cfg[name]
    cls = MODELS.get(head_cfg['type'])
    if cls is None:
        raise KeyError(f'model head type {head_cfg["type"]!r} is not registered '
                       '(import cmid_mm first)')
    return inspect.signature(cls.__init__).parameters[name].default


def chance_levels(model_cfg: dict) -> Dict[str, float]:
    """``{loss key: chance level}`` of a CMID model config's active contrastive terms."""
    levels = {}
    if model_cfg.get('global_head'):
        levels['loss_global'] = math.log(_arg(model_cfg['global_head'], 'queue_len') + 1)
    if model_cfg.get('local_head'):
        levels['loss_local'] = math.log(_arg(model_cfg['local_head'], 'out_channels'))
    return levels


def read_knn_curve(log_dir: str, prefix: str = 'knn') -> Optional[List[dict]]:
    """The curve ``KNNEvalHook`` wrote into a run's log dir (``<log_dir>/<prefix>_curve.json``:
    ``[{iter, top1, majority}, ...]``), or None when that run wrote none."""
    path = osp.join(log_dir, f'{prefix}_curve.json')
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def loss_rows(train_log: List[dict]) -> List[dict]:
    """The training log entries (mmpretrain ``load_json_log(...)['train']``) that carry losses."""
    return [r for r in train_log if any(k.startswith('loss') for k in r)]


def loss_table(rows: List[dict], chance: Dict[str, float], window: int = 3) -> List[dict]:
    """Per loss term: mean of the first / last ``window`` log entries, chance level, verdict.

    For the local term the verdict is read against the *input-blind floor* when the log has it
    (``collapse/local_blind_floor`` from ``CollapseMonitorHook``, mean of the same last
    entries): under ``ln K`` but not under that floor means a sharp or skewed teacher, not a
    student that tells its inputs apart.
    """
    if len(rows) < 2:
        raise ValueError(f'{len(rows)} loss entries in the log: need at least 2')
    w = max(1, min(window, len(rows) // 2))
    table = []
    for key in sorted(k for k in rows[0] if k.startswith('loss')):
        start = sum(r[key] for r in rows[:w]) / w
        end = sum(r[key] for r in rows[-w:]) / w
        level, floor = chance.get(key), None
        floor_rows = [r['collapse/local_blind_floor'] for r in rows[-w:]
                      if 'collapse/local_blind_floor' in r]
        if key == 'loss_local' and floor_rows:
            floor = sum(floor_rows) / len(floor_rows)
        if level is None:
            verdict = '-'
        elif end >= level:
            verdict = f'NOT below chance ({end - level:+.2f} nat)'
        elif floor is not None and end >= floor:
            verdict = (f'{level - end:.2f} nat below ln K but NOT below the input-blind floor '
                       f'({end - floor:+.2f} nat): a sharp teacher, not learning')
        else:
            verdict = f'{level - end:.2f} nat below chance'
            if floor is not None:
                verdict += f', {floor - end:.2f} below the input-blind floor'
        table.append(dict(term=key, start=start, end=end, chance=level, blind_floor=floor,
                          verdict=verdict, first_iter=rows[0]['iter'],
                          last_iter=rows[-1]['iter'], window=w))
    return table


def format_loss_table(table: List[dict]) -> str:
    """The table as markdown, with what the start and end columns average."""
    t = table[0]
    lines = [f'losses (mean of the first / last {t["window"]} log entries, iterations '
             f'{t["first_iter"]}..{t["last_iter"]}; chance = ln(queue_len + 1) global, '
             'ln(prototypes) local; input-blind floor = entropy of the mean teacher target)',
             '| term | start | end | change | chance | input-blind floor | end vs chance |',
             '|---|---|---|---|---|---|---|']
    for r in table:
        chance = '-' if r['chance'] is None else f'{r["chance"]:.3f}'
        floor = '-' if r['blind_floor'] is None else f'{r["blind_floor"]:.3f}'
        lines.append(f'| {r["term"]} | {r["start"]:.3f} | {r["end"]:.3f} | '
                     f'{(r["end"] - r["start"]) / abs(r["start"]):+.1%} | {chance} | {floor} | '
                     f'{r["verdict"]} |')
    return '\n'.join(lines)


def plot_curves(path: str, rows: List[dict], chance: Dict[str, float],
                knn_history: Optional[List[dict]] = None, title: str = '') -> None:
    """One panel per loss term (with its chance level dashed, and the local term's input-blind
    floor dotted when logged) and one for the kNN curve."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    keys = sorted(k for k in rows[0] if k.startswith('loss_'))
    panels = len(keys) + (1 if knn_history else 0)
    fig, axes = plt.subplots(1, panels, figsize=(3.2 * panels, 2.8), squeeze=False)
    axes = axes[0]
    iters = [r['iter'] for r in rows]
    for ax, key in zip(axes, keys):
        ax.plot(iters, [r[key] for r in rows], lw=1.2)
        floor = [(r['iter'], r['collapse/local_blind_floor']) for r in rows
                 if 'collapse/local_blind_floor' in r]
        if key == 'loss_local' and floor:
            ax.plot(*zip(*floor), ls=':', c='orange', lw=1.2, label='input-blind floor')
        if key in chance:
            ax.axhline(chance[key], ls='--', c='grey', lw=1, label=f'chance {chance[key]:.2f}')
        if key in chance or (key == 'loss_local' and floor):
            ax.legend(fontsize=7)
        ax.set(title=key, xlabel='iteration')
    if knn_history:
        ax = axes[-1]
        ax.plot([h['iter'] for h in knn_history], [h['top1'] for h in knn_history], 'o-', lw=1.2)
        if knn_history[0]['iter'] == 0:
            ax.axhline(knn_history[0]['top1'], ls='--', c='grey', lw=1,
                       label=f'random init {knn_history[0]["top1"]:.1f}')
        ax.axhline(knn_history[-1]['majority'], ls=':', c='red', lw=1,
                   label=f'majority {knn_history[-1]["majority"]:.1f}')
        ax.legend(fontsize=7)
        ax.set(title='kNN top-1 (%)', xlabel='iteration')
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
