from _unavailable import unavailable

get_parameter_names = unavailable("transformers.trainer_pt_utils.get_parameter_names")
