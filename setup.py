"""cmid_mm: CMID self-supervised pretraining for remote sensing, as an OpenMMLab plugin."""
import os.path as osp
import re

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def read_requirements(name):
    """Requirement lines of requirements/<name>.txt, without comments."""
    with open(osp.join(HERE, 'requirements', f'{name}.txt')) as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line]


def read_version():
    with open(osp.join(HERE, 'cmid_mm', 'version.py')) as f:
        return re.search(r"__version__ = '([^']+)'", f.read()).group(1)


setup(
    name='cmid_mm',
    version=read_version(),
    description='CMID (Contrastive Mask Image Distillation) for remote sensing on OpenMMLab',
    long_description=open(osp.join(HERE, 'README.md')).read()
    if osp.exists(osp.join(HERE, 'README.md')) else '',
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs', 'tools', 'tests')),
    python_requires='>=3.8',
    # torch and mmcv are installed by tools/install/setup_env.sh (mmcv needs a source build).
    install_requires=read_requirements('runtime'),
    extras_require={
        'torch': read_requirements('torch'),
        'mmcv': read_requirements('mmcv'),
        'tests': read_requirements('tests'),
        'data': read_requirements('data'),
    },
    license='Apache License 2.0',
)
