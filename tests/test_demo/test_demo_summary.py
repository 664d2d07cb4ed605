"""demo/demo_summary.py: the last screen of `make demo`, from what the steps wrote."""
import json

import pytest

import demo_summary


def write_json(path, obj):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj))


def test_summary_reads_every_step_and_says_what_did_not_run(tmp_path, capsys, monkeypatch):
    table = [dict(term='loss_global', start=5.3, end=5.2, chance=5.549, blind_floor=None,
                  verdict='0.35 nat below chance', first_iter=10, last_iter=500, window=3)]
    write_json(tmp_path / 'cmid_pretrain' / 'pretrain.json', dict(
        config='cfg.py', iters=500, batch_size=32, tiles=422, data='data/t', wall_s=540.,
        loss_table=table, random_init_knn=[50., 37.5, 52.5],
        knn_curve=[dict(iter=0, top1=50., majority=40.), dict(iter=500, top1=75., majority=40.)]))
    write_json(tmp_path / 'downstream' / 'results.json', [dict(
        task='trees', metric='AP50 (%)', seeds=[0, 1], cmid=[10., 12.], random=[5., 6.])])
    monkeypatch.setattr('sys.argv', ['demo_summary.py', '--work-dir', str(tmp_path)])
    demo_summary.main()
    out = capsys.readouterr().out
    assert '500 iterations x 32 images, 9.0 min' in out
    assert '| loss_global | 5.300 | 5.200 | -1.9% | 5.549 | - | 0.35 nat below chance |' in out
    assert "kNN top-1 50.0 -> 75.0 over iterations 0..500 (iteration 0 = this run's random" in out
    assert 'after pretraining 75.0 (above every random init)' in out
    assert ('| trees | AP50 (%) | 2 | 11.00 ± 1.41 | 5.50 ± 0.71 | +5.50 vs noise 2.12 (std sum): '
            'CMID better |') in out
    assert 'not run in this demo: change detection, oriented detection' in out
    assert (tmp_path / 'summary.md').read_text().strip() == out.strip()


def test_summary_without_the_pretraining_is_one_error(tmp_path, monkeypatch):
    monkeypatch.setattr('sys.argv', ['demo_summary.py', '--work-dir', str(tmp_path)])
    with pytest.raises(SystemExit, match='pretrain.json not found; run the pretrain step first'):
        demo_summary.main()
