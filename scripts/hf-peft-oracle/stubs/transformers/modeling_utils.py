import torch
from torch import nn


class PreTrainedModel(nn.Module):
    """What PEFT reads from a transformers model: `config` (an object with attributes and
    to_dict), the embedding accessors and a few class attributes."""

    base_model_prefix = "model"
    _no_split_modules = None
    _tied_weights_keys = None
    supports_gradient_checkpointing = False

    def __init__(self, config):
        super().__init__()
        self.config = config

    def get_input_embeddings(self):
        raise NotImplementedError

    def get_output_embeddings(self):
        return None

    @property
    def device(self):
        return next(self.parameters()).device

    @property
    def dtype(self):
        return next(self.parameters()).dtype

    def can_generate(self):
        return False
