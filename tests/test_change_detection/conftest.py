import pytest
import torch
from mmengine.registry import init_default_scope


@pytest.fixture(autouse=True)
def _mmseg_scope_one_thread():
    """Change detection lives in mmseg's registries (this runs after the repo-wide mmpretrain
    fixture). One torch thread: the tiny test models gain nothing from more, and spinning threads
    crawl on a shared machine."""
    init_default_scope('mmseg')
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
