"""Frozen-backbone evaluation in plain functions (nothing here is registered): features of a
labelled set, weighted kNN, the linear probe, and the backbone loading that feeds them."""
from .backbone_loading import backbone_state_dict, build_eval_backbone  # noqa: F401
from .features import extract_features, normalizer_from, pool_last_stage  # noqa: F401
from .frozen_eval import build_labelled_loader, evaluate_frozen  # noqa: F401
from .knn import weighted_knn_accuracy, weighted_knn_predict  # noqa: F401
from .linear_probe import fit_logistic_regression, linear_probe_accuracy  # noqa: F401
from .ssl_benchmark import evaluate_backbone, prepare_tree_cover, segmentation_probe  # noqa: F401
