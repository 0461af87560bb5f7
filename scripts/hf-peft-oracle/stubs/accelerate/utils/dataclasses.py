from _unavailable import unavailable

get_module_class_from_name = unavailable("accelerate.utils.dataclasses.get_module_class_from_name")
