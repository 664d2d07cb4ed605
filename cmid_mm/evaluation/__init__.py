"""Registered modules (filled per sub-package)."""
from .backbone_loading import backbone_state_dict, build_eval_backbone  # noqa: F401,E402
from .features import extract_features, normalizer_from, pool_last_stage  # noqa: F401,E402
from .knn import weighted_knn_accuracy, weighted_knn_predict  # noqa: F401,E402
from .linear_probe import fit_logistic_regression, linear_probe_accuracy  # noqa: F401,E402
