"""Stand-in for HF transformers: the names PEFT imports. PreTrainedModel is an nn.Module with a
config (what get_peft_model reads); the model skeletons themselves are built in count.py."""
from _unavailable import placeholder_class

from . import activations, modeling_outputs, pytorch_utils, utils  # noqa: F401
from .modeling_utils import PreTrainedModel  # noqa: F401

# The last v4 release: PEFT's v5-only path (weight-conversion mappings for changed MoE layouts)
# does not apply to the dense models counted here.
__version__ = "4.57.1"

AutoModel = placeholder_class("transformers.AutoModel")
AutoModelForCausalLM = placeholder_class("transformers.AutoModelForCausalLM")
AutoModelForQuestionAnswering = placeholder_class("transformers.AutoModelForQuestionAnswering")
AutoModelForSeq2SeqLM = placeholder_class("transformers.AutoModelForSeq2SeqLM")
AutoModelForSequenceClassification = placeholder_class("transformers.AutoModelForSequenceClassification")
AutoModelForTokenClassification = placeholder_class("transformers.AutoModelForTokenClassification")
AutoTokenizer = placeholder_class("transformers.AutoTokenizer")
BloomPreTrainedModel = placeholder_class("transformers.BloomPreTrainedModel")
Cache = placeholder_class("transformers.Cache")
DynamicCache = placeholder_class("transformers.DynamicCache")
EncoderDecoderCache = placeholder_class("transformers.EncoderDecoderCache")
HybridCache = placeholder_class("transformers.HybridCache")
TrainerCallback = placeholder_class("transformers.TrainerCallback")
TrainerControl = placeholder_class("transformers.TrainerControl")
TrainerState = placeholder_class("transformers.TrainerState")
TrainingArguments = placeholder_class("transformers.TrainingArguments")
