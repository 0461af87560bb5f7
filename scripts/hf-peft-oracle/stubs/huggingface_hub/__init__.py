from _unavailable import placeholder_class, unavailable

from . import constants, errors  # noqa: F401

HfFileSystem = placeholder_class("huggingface_hub.HfFileSystem")
ModelCard = placeholder_class("huggingface_hub.ModelCard")
ModelCardData = placeholder_class("huggingface_hub.ModelCardData")
file_exists = unavailable("huggingface_hub.file_exists")
hf_hub_download = unavailable("huggingface_hub.hf_hub_download")
snapshot_download = unavailable("huggingface_hub.snapshot_download")
