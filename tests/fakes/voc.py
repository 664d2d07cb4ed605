"""Writers of tiny fake detection datasets shared by the tests."""


def write_voc_xml(path, size, objects):
    """A VOC/DIOR-style annotation: objects are (name, xmin, ymin, xmax, ymax)."""
    body = ''.join(
        f'<object><name>{name}</name><difficult>0</difficult><bndbox><xmin>{x1}</xmin>'
        f'<ymin>{y1}</ymin><xmax>{x2}</xmax><ymax>{y2}</ymax></bndbox></object>'
        for name, x1, y1, x2, y2 in objects)
    path.write_text(f'<annotation><size><width>{size}</width><height>{size}</height>'
                    f'<depth>3</depth></size>{body}</annotation>')
