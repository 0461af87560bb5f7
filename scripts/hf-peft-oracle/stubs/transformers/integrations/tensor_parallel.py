from _unavailable import placeholder_class, unavailable

ALL_PARALLEL_STYLES = {}
ColwiseParallel = placeholder_class("transformers.integrations.tensor_parallel.ColwiseParallel")
RowwiseParallel = placeholder_class("transformers.integrations.tensor_parallel.RowwiseParallel")
EmbeddingParallel = placeholder_class("transformers.integrations.tensor_parallel.EmbeddingParallel")
add_tensor_parallel_hooks_to_module = unavailable("transformers.integrations.tensor_parallel.add_tensor_parallel_hooks_to_module")
gather_state_dict_for_save = unavailable("transformers.integrations.tensor_parallel.gather_state_dict_for_save")
