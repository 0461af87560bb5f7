from _unavailable import unavailable

load_file = unavailable("safetensors.torch.load_file")
save_file = unavailable("safetensors.torch.save_file")


def storage_ptr(tensor):
    return tensor.untyped_storage().data_ptr() if hasattr(tensor, "untyped_storage") else tensor.storage().data_ptr()


def storage_size(tensor):
    return tensor.untyped_storage().nbytes() if hasattr(tensor, "untyped_storage") else tensor.storage().nbytes()
