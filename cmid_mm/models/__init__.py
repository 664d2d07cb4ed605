"""CMID models, registered in mmpretrain's MODELS; the segmentor in mmseg's, the N-band detection
preprocessor in mmdet's, the AdaptInputBands initializer in mmengine's WEIGHT_INITIALIZERS."""
from .algorithms import *  # noqa: F401,F403
from .backbones import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .necks import *  # noqa: F401,F403
from .segmentors import *  # noqa: F401,F403
from .utils import *  # noqa: F401,F403
