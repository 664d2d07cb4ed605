"""The last screen of `make demo`: what was pretrained on what and for how long, each loss term
against its chance level, the kNN curve against random inits, and every downstream comparison as
mean ± std over fine-tuning seeds.

    python demo/demo_summary.py [--work-dir work_dirs/demo]

Reads what the steps wrote (``cmid_pretrain/pretrain.json``, ``*/results.json``); prints the
summary and writes it to ``WORK_DIR/summary.md``. Steps that did not run are listed as such.
"""
import argparse
import json
import os.path as osp

from demo_common import mean_std, versus

STEPS = (('downstream', 'tree-crown detection'), ('change_detection', 'change detection'),
         ('oriented_detection', 'oriented detection'))


def pretrain_lines(info: dict) -> list:
    from cmid_mm.engine.hooks.knn_eval_hook import curve_in_words
    from cmid_mm.evaluation.training_curves import format_loss_table
    inits = info['random_init_knn']
    last = info['knn_curve'][-1]
    return [
        f'Pretrained: CMID ResNet-18 from random init on {info["tiles"]} unlabelled 128 px NEON '
        f'10 cm RGB tiles ({info["data"]}), 64 px views, {info["iters"]} iterations x '
        f'{info["batch_size"]} images, {info["wall_s"] / 60:.1f} min ({info["config"]}).',
        '',
        format_loss_table(info['loss_table']),
        '',
        curve_in_words(info['knn_curve']) + '.',
        f'Random init, {len(inits)} init seeds: kNN top-1 ' + ', '.join(f'{v:.1f}' for v in inits)
        + f' (range {min(inits):.1f}-{max(inits):.1f}); after pretraining {last["top1"]:.1f} '
        f'({"above" if last["top1"] > max(inits) else "NOT above"} every random init).',
    ]


def downstream_lines(work_dir: str) -> list:
    lines = ['| task | metric | seeds | CMID init | random init | CMID - random |',
             '|---|---|---|---|---|---|']
    missing = []
    for folder, name in STEPS:
        path = osp.join(work_dir, folder, 'results.json')
        if not osp.isfile(path):
            missing.append(name)
            continue
        with open(path) as f:
            for r in json.load(f):
                lines.append(f'| {r["task"]} | {r["metric"]} | {len(r["seeds"])} | '
                             f'{mean_std(r["cmid"])} | {mean_std(r["random"])} | '
                             f'{versus(r["cmid"], r["random"])} |')
    if missing:
        lines += ['', 'not run in this demo: ' + ', '.join(missing)]
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    args = parser.parse_args()
    pre_path = osp.join(args.work_dir, 'cmid_pretrain', 'pretrain.json')
    if not osp.isfile(pre_path):
        raise SystemExit(f'error: {pre_path} not found; run the pretrain step first '
                         '(DEMO_STEPS=pretrain)')
    with open(pre_path) as f:
        info = json.load(f)
    lines = ['# CMID demo summary', ''] + pretrain_lines(info) + [
        '', 'Fine-tuned from that checkpoint and from random init at the same budget '
        '(val split; mean ± std over fine-tuning seeds; a difference within the sum of the two '
        'stds is noise):', ''] + downstream_lines(args.work_dir) + [
        '', f'Learning curves: {osp.join(args.work_dir, "cmid_pretrain", "curves.png")}. '
        'CPU budgets of minutes: these show the pipeline learns, not the paper\'s numbers.']
    text = '\n'.join(lines) + '\n'
    with open(osp.join(args.work_dir, 'summary.md'), 'w') as f:
        f.write(text)
    print('\n' + text)


if __name__ == '__main__':
    main()
