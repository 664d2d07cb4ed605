import pytest


@pytest.fixture(autouse=True)
def _mmseg_scope(mmseg_scope_one_thread):
    """Change detection lives in mmseg's registries (after the repo-wide mmpretrain fixture)."""
    yield
