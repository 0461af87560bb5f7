from _unavailable import placeholder_class, unavailable

from . import hooks, utils  # noqa: F401

__version__ = "1.10.0"
FullyShardedDataParallelPlugin = placeholder_class("accelerate.FullyShardedDataParallelPlugin")
dispatch_model = unavailable("accelerate.dispatch_model")
infer_auto_device_map = unavailable("accelerate.infer_auto_device_map")
