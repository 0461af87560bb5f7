from _unavailable import unavailable

from .imports import is_bf16_available, is_xpu_available  # noqa: F401

get_balanced_memory = unavailable("accelerate.utils.get_balanced_memory")
offload_state_dict = unavailable("accelerate.utils.offload_state_dict")


def is_npu_available(*args, **kwargs):
    return False


def is_mlu_available(*args, **kwargs):
    return False


def named_module_tensors(module, include_buffers=True, recurse=False, remove_non_persistent=False):
    yield from module.named_parameters(recurse=recurse)
    if include_buffers:
        yield from module.named_buffers(recurse=recurse)
