from .checkpoint import register_checkpoint_safe_globals
from .resume import find_resume_checkpoint
from .config import (CLIError, add_common_args, build_runner, check_cfg_options,
                     load_config, run_cli, setup_cli_cfg)

__all__ = [
    'register_checkpoint_safe_globals', 'CLIError', 'add_common_args', 'build_runner',
    'check_cfg_options', 'find_resume_checkpoint', 'load_config', 'run_cli', 'setup_cli_cfg'
]
