"""Writers of tiny fake detection datasets shared by the tests."""
import cv2
import numpy as np


def write_voc_xml(path, size, objects):
    """A VOC/DIOR-style annotation: objects are (name, xmin, ymin, xmax, ymax)."""
    body = ''.join(
        f'<object><name>{name}</name><difficult>0</difficult><bndbox><xmin>{x1}</xmin>'
        f'<ymin>{y1}</ymin><xmax>{x2}</xmax><ymax>{y2}</ymax></bndbox></object>'
        for name, x1, y1, x2, y2 in objects)
    path.write_text(f'<annotation><size><width>{size}</width><height>{size}</height>'
                    f'<depth>3</depth></size>{body}</annotation>')


def write_tiny_dior(root):
    """DIOR's published layout with 64x64 images: ids 00001-00003 trainval, 00004 test."""
    rng = np.random.default_rng(0)
    for sub in ('Annotations', 'ImageSets/Main', 'JPEGImages-trainval', 'JPEGImages-test'):
        (root / sub).mkdir(parents=True)
    splits = dict(train=['00001', '00002'], val=['00003'], test=['00004'])
    objects = {
        '00001': [('airplane', 5, 6, 40, 41), ('Expressway-Service-area', 10, 20, 60, 50)],
        '00002': [('vehicle', 30, 30, 50, 45)],
        '00003': [('ship', 3, 3, 33, 20)],
        '00004': [('windmill', 8, 8, 40, 60)],
    }
    for split, ids in splits.items():
        (root / 'ImageSets/Main' / f'{split}.txt').write_text(''.join(f'{i}\n' for i in ids))
        img_dir = 'JPEGImages-test' if split == 'test' else 'JPEGImages-trainval'
        for i in ids:
            cv2.imwrite(str(root / img_dir / f'{i}.jpg'),
                        rng.integers(0, 255, (64, 64, 3), np.uint8))
            write_voc_xml(root / 'Annotations' / f'{i}.xml', 64, objects[i])
    return root
