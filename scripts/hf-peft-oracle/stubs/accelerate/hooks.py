from _unavailable import placeholder_class, unavailable

AlignDevicesHook = placeholder_class("accelerate.hooks.AlignDevicesHook")
add_hook_to_module = unavailable("accelerate.hooks.add_hook_to_module")


def remove_hook_from_module(module, recurse=False):
    return module


def remove_hook_from_submodules(module):
    return None
