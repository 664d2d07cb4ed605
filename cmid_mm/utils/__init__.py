from ..checkpoint import (CheckpointError, find_resume_checkpoint,  # noqa: F401  re-exported
                          register_checkpoint_safe_globals)
from .cli import (CLIError, add_cfg_options_arg, add_common_args, build_runner,
                  check_cfg_options, load_config, run_cli, setup_cli_cfg)
from .tiling import window_starts

__all__ = [
    'register_checkpoint_safe_globals', 'CheckpointError', 'CLIError', 'add_cfg_options_arg',
    'add_common_args', 'build_runner', 'check_cfg_options', 'find_resume_checkpoint',
    'load_config', 'run_cli', 'setup_cli_cfg', 'window_starts'
]
