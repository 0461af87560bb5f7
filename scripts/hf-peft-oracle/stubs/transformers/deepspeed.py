from .integrations import deepspeed_config, is_deepspeed_zero3_enabled  # noqa: F401
