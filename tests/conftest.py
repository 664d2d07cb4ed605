import os.path as osp
import sys
import uuid

import pytest
from mmengine.logging import MessageHub
from mmengine.registry import init_default_scope

import cmid_mm  # noqa: F401  registers modules and checkpoint safe globals

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.fixture(autouse=True)
def _mmpretrain_scope():
    init_default_scope('mmpretrain')
    yield


@pytest.fixture
def message_hub():
    """A fresh MessageHub (schedules read iter / max_iters / max_epochs from it)."""
    return MessageHub.get_instance(f'test-{uuid.uuid4().hex}')  # newest = current instance


@pytest.fixture
def repo_root():
    return REPO_ROOT


@pytest.fixture
def python():
    return sys.executable
