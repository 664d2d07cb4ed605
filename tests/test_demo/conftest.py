import os.path as osp
import sys

# The demo steps import their shared helpers (demo/demo_common.py) as scripts do: from their own
# folder.
sys.path.insert(0, osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'demo'))
