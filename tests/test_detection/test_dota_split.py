"""DOTA patch split / merge: windows, objects cut by borders, the round trip, and both tools."""
import os.path as osp
import pickle
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
from cmid_mm.detection import (DOTA_V1_CLASSES, DOTAHBBDataset, load_patch_detections,
                               merge_patch_detections, objects_in_window, parse_patch_name,
                               patch_name, polygons_to_hboxes, split_dota_folder, split_scene,
                               window_starts, write_dota_task2)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def run_tool(name, *args):
    return subprocess.run([sys.executable, f'tools/dataset_converters/{name}.py',
                           *map(str, args)], cwd=REPO, capture_output=True, text=True,
                          timeout=300)


def box_polygons(boxes):
    boxes = np.asarray(boxes, np.float32)
    x1, y1, x2, y2 = boxes.T
    return np.stack([x1, y1, x2, y1, x2, y2, x1, y2], axis=1)


def test_window_starts_as_the_dota_devkit():
    assert window_starts(2000, 1024, 200) == [0, 824, 976]  # last window flush with the border
    assert window_starts(1848, 1024, 200) == [0, 824]
    assert window_starts(1024, 1024, 200) == [0]
    assert window_starts(600, 1024, 200) == [0]  # padded
    with pytest.raises(ValueError, match='gap'):
        window_starts(2000, 100, 100)


def test_patch_names():
    assert patch_name('P0001', 1.0, 824, 0) == 'P0001__1__824___0'
    assert parse_patch_name('P0001__0.5__0___976') == ('P0001', 0.5, 0, 976)
    assert parse_patch_name('a__b__1__8___9') == ('a__b', 1.0, 8, 9)
    with pytest.raises(ValueError, match="not a patch name.*'P0001'"):
        parse_patch_name('P0001')


def test_object_cut_by_the_border():
    polys = box_polygons([[90, 10, 110, 30],  # half inside the window
                          [95, 40, 105, 60],  # half inside
                          [10, 10, 20, 20]])  # inside
    keep, kept = objects_in_window(polys, (0, 0, 100, 100), iof_thr=0.5)
    assert keep.tolist() == [0, 1, 2]
    # cut objects become the box of their visible part; whole ones keep their polygon
    assert polygons_to_hboxes(kept).tolist() == [[90, 10, 100, 30], [95, 40, 100, 60],
                                                 [10, 10, 20, 20]]
    keep, _ = objects_in_window(polys, (0, 0, 100, 100), iof_thr=0.7)
    assert keep.tolist() == [2]


def test_rotated_polygon_iof():
    # a diamond (rotated square) centred on the border: half of its area is inside
    diamond = np.array([[90, 50, 100, 40, 110, 50, 100, 60]], np.float32)
    assert objects_in_window(diamond, (0, 0, 100, 100), 0.5)[0].tolist() == [0]
    assert objects_in_window(diamond, (0, 0, 100, 100), 0.51)[0].tolist() == []


@pytest.mark.parametrize('rate', [1.0, 0.5])
def test_split_merge_round_trip(rate):
    """Objects inside the overlap of neighbouring patches are in several patches; merging the
    patch 'detections' (the patch labels, score 1) gives back exactly the scene's boxes."""
    size, gap = 256, 64  # windows start every 192 px (scaled scene)
    height, width = int(600 / rate), int(700 / rate)
    boxes = np.array([[200, 40, 240, 80],      # in the overlap of x-windows 0 and 192
                      [210, 200, 250, 240],    # in the overlap of 4 windows
                      [10, 10, 40, 30],        # in one window only
                      [660, 520, 690, 560]]) / rate
    names = ['plane', 'ship', 'plane', 'ship']
    image = np.zeros((height, width, 3), np.uint8)
    patches = list(split_scene(image, box_polygons(boxes), names, [0, 0, 0, 1], 'P7', size, gap,
                               rate))
    assert all(p.image.shape == (size, size, 3) for p in patches)
    count = {i: 0 for i in range(len(boxes))}
    detections = {}
    for p in patches:
        hboxes = polygons_to_hboxes(p.polys)
        assert (hboxes >= 0).all() and (hboxes <= size).all()
        labels = np.array([names.index(n) for n in p.labels], np.int64)
        detections[p.name] = (hboxes, np.ones(len(hboxes), np.float32), labels)
        for box in hboxes:
            original = np.flatnonzero(np.abs((box + [p.x, p.y, p.x, p.y]) / rate - boxes)
                                      .sum(1) < 1e-3)
            count[int(original[0])] += 1
    assert count[0] == 2 and count[1] == 4 and count[2] == 1
    merged = merge_patch_detections(detections)
    assert set(merged) == {'P7'}
    out_boxes, scores, labels = merged['P7']
    order = np.lexsort(out_boxes.T[::-1])
    expected = np.lexsort(boxes.T[::-1])
    np.testing.assert_allclose(out_boxes[order], boxes[expected], atol=1e-3)
    assert labels[order].tolist() == [names.index(names[i]) for i in expected]
    assert np.all(scores == 1)


def test_merge_keeps_overlapping_boxes_of_other_classes():
    box = np.array([[10, 10, 50, 50]], np.float32)
    merged = merge_patch_detections({
        'S__1__0___0': (box, np.array([0.9]), np.array([0])),
        'S__1__4___0': (box - [4, 0, 4, 0], np.array([0.8]), np.array([1])),
        'S__1__8___0': (box - [8, 0, 8, 0], np.array([0.7]), np.array([0])),
    })
    boxes, scores, labels = merged['S']
    assert labels.tolist() == [0, 1] and np.allclose(scores, [0.9, 0.8])
    np.testing.assert_allclose(boxes, np.repeat(box, 2, 0))


@pytest.fixture
def dota_scenes(tmp_path):
    """Two labelled scenes in DOTA's layout (P0000 300x500, P0001 100x100)."""
    src = tmp_path / 'train'
    (src / 'images').mkdir(parents=True)
    (src / 'labelTxt').mkdir()
    rng = np.random.default_rng(0)
    cv2.imwrite(str(src / 'images' / 'P0000.png'), rng.integers(0, 255, (300, 500, 3), np.uint8))
    cv2.imwrite(str(src / 'images' / 'P0001.png'), rng.integers(0, 255, (100, 100, 3), np.uint8))
    (src / 'labelTxt' / 'P0000.txt').write_text(
        'imagesource:GoogleEarth\ngsd:0.1\n'
        '200 20 240 20 240 60 200 60 plane 0\n'
        '400 250 450 250 450 290 400 290 ship 1\n')
    (src / 'labelTxt' / 'P0001.txt').write_text('10 10 30 10 30 30 10 30 harbor 0\n')
    return src


def test_split_folder_writes_patches_the_dataset_reads(dota_scenes, tmp_path):
    dst = tmp_path / 'split'
    assert split_dota_folder(str(dota_scenes), str(dst), patch_size=256, gap=64) == (2, 7, 5,
                                                                                       True)
    names = sorted(p.stem for p in (dst / 'images').glob('*.png'))
    # P0000: x windows 0, 192, 244; y windows 0, 44 -> 6 patches; P0001: one padded patch
    assert names == sorted([f'P0000__1__{x}___{y}' for x in (0, 192, 244) for y in (0, 44)] +
                           ['P0001__1__0___0'])
    patch = cv2.imread(str(dst / 'images' / 'P0000__1__192___44.png'))
    scene = cv2.imread(str(dota_scenes / 'images' / 'P0000.png'))
    assert np.array_equal(patch, scene[44:300, 192:448])
    ds = DOTAHBBDataset(data_root=str(dst), ann_file='labelTxt/',
                        data_prefix=dict(img_path='images/'), pipeline=[])
    by_name = {ds.get_data_info(i)['img_id']: ds.get_data_info(i) for i in range(len(ds))}
    plane = by_name['P0000__1__192___0']['instances']
    assert [(i['bbox'], i['bbox_label']) for i in plane] == [([8, 20, 48, 60], 0)]
    ship = by_name['P0000__1__244___44']['instances']
    assert [(i['bbox'], i['ignore_flag']) for i in ship] == [([156, 206, 206, 246], 1)]
    assert (by_name['P0001__1__0___0']['width'], by_name['P0001__1__0___0']['height']) == (256,
                                                                                          256)


def test_split_tool(dota_scenes, tmp_path):
    proc = run_tool('dota_split', dota_scenes, tmp_path / 'split', '--patch-size', '256',
                    '--gap', '64', '--nproc', '2')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert '2 scenes -> 7 patches of 256 px (5 objects)' in proc.stdout
    assert len(list((tmp_path / 'split' / 'labelTxt').glob('*.txt'))) == 7
    proc = run_tool('dota_split', tmp_path / 'empty', tmp_path / 'out')
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f'error: no *.png image in {tmp_path / "empty" / "images"}']


def test_split_folder_errors(dota_scenes, tmp_path):
    (dota_scenes / 'labelTxt' / 'P0001.txt').unlink()
    with pytest.raises(FileNotFoundError, match='1 image.* without a label file .*P0001.png'):
        split_dota_folder(str(dota_scenes), str(tmp_path / 'out'))
    with pytest.raises(FileNotFoundError, match='no \\*.png image in'):
        split_dota_folder(str(tmp_path / 'empty'), str(tmp_path / 'out'))


def test_merge_writes_task2_files(tmp_path):
    results = []
    for name, box, score in (('P0000__1__0___0', [200, 20, 240, 60], 0.9),
                             ('P0000__1__192___0', [8, 20, 48, 60], 0.8),
                             ('P0001__1__0___0', [10, 10, 30, 30], 0.5)):
        results.append(dict(img_path=f'/x/images/{name}.png',
                            pred_instances=dict(bboxes=torch.tensor([box], dtype=torch.float32),
                                                scores=torch.tensor([score]),
                                                labels=torch.tensor([0]))))
    pkl = tmp_path / 'dets.pkl'
    with open(pkl, 'wb') as f:
        pickle.dump(results, f)
    out = tmp_path / 'task2'
    detections = load_patch_detections(str(pkl))
    merged = merge_patch_detections(detections)
    assert (len(detections), len(merged)) == (3, 2)
    assert write_dota_task2(merged, DOTA_V1_CLASSES, str(out)) == 2
    lines = (out / 'Task2_plane.txt').read_text().splitlines()
    assert lines == ['P0000 0.9000 200.0 20.0 240.0 60.0', 'P0001 0.5000 10.0 10.0 30.0 30.0']
    assert (out / 'Task2_helicopter.txt').read_text() == ''
    with pytest.raises(FileNotFoundError, match='results file not found'):
        load_patch_detections(str(tmp_path / 'none.pkl'))
    proc = run_tool('dota_merge', pkl, tmp_path / 'task2_cli')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert '3 patches -> 2 scenes, 2 boxes' in proc.stdout
    assert (tmp_path / 'task2_cli' / 'Task2_plane.txt').read_text().splitlines() == lines
    proc = run_tool('dota_merge', tmp_path / 'none.pkl', out)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f'error: results file not found: {tmp_path / "none.pkl"}']
