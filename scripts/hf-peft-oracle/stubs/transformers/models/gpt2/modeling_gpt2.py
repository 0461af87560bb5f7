from transformers.pytorch_utils import Conv1D  # noqa: F401
