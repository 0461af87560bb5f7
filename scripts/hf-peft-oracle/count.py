"""HF PEFT's own counts for our cases: an independent check of lib/peft's parameter counts.

How to rerun (Debian bookworm; PyPI is not needed):

    apt-get install python3-torch            # torch 1.13; python3-setuptools supplies `packaging`
    # a clone of huggingface/peft checked out at PEFT_COMMIT (below), e.g. in /tmp/peft
    npx tsx scripts/hf-peft-oracle/cases.ts  # writes scripts/hf-peft-oracle/cases.json
    /usr/bin/python3 scripts/hf-peft-oracle/count.py --peft-src /tmp/peft/src
    npx vitest run lib/peft/hf-peft-oracle.test.ts

(`--peft-git-dir DIR` instead of `--peft-src` exports PEFT's src/ from a bare clone.) PEFT's own
code runs unmodified. transformers, accelerate, safetensors, huggingface_hub and tqdm are replaced
by the stand-ins in stubs/ (only the names PEFT imports; GPT-2's Conv1D and PreTrainedModel are
real modules). For each case this script builds the model's skeleton as HF transformers names and
shapes it (`*ForCausalLM`, T5ForConditionalGeneration, BertForMaskedLM: the classes our export's
snippet loads), with shapes from content/data/models.json, on the meta device except the token
embedding (a CPU tensor left uninitialised, so prompt-learning encoders run); applies the case's
exported config with `get_peft_model`; and records PEFT's trainable count
(`get_nb_trainable_parameters`) and the size of `get_peft_model_state_dict` (what save_pretrained
writes). QLoRA's BitsAndBytesConfig is not applied (no bitsandbytes): its LoRA count is the same.
PiSSA reads the base weights (an SVD), so its skeletons get real CPU weights, on models up to 1B
parameters only (larger ones are recorded as notRun). PEFT at this commit needs no newer torch
API than 1.13 has; the patches are a memory one (shrink_boft_permutations) and BOFT's CUDA check
(count_boft_factors_as_on_a_gpu). A config HF PEFT
refuses is recorded with its error. About 15 minutes on two cores.
Output: lib/peft/testing/hf-peft-counts.json.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import traceback
import warnings

sys.dont_write_bytecode = True  # no __pycache__ in the stubs folder of the work tree

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PEFT_COMMIT = "5d602fdbff04c33c1c4de55cda9d4ae1d7cb7e40"
DEFAULT_GIT_DIR = "/work/.mirror/huggingface+peft/repo"


def import_peft(src_dir):
    sys.path[:0] = [os.path.join(HERE, "stubs"), src_dir]
    import peft  # noqa: F401

    shrink_boft_permutations()
    count_boft_factors_as_on_a_gpu()
    return peft


def count_boft_factors_as_on_a_gpu():
    """Without its CUDA extension (fbd_cuda, compiled at first use) BOFT's update_layer silently sets
    boft_n_butterfly_factor to 1. With the extension, as on a GPU, it builds the factors asked for:
    report that one, which is what a user training on a GPU gets. Nothing here runs a forward pass,
    so the extension is never called."""
    from peft.tuners.boft import layer as boft_layer

    boft_layer.get_fbd_cuda = lambda: True


def shrink_boft_permutations():
    """BOFT keeps a dense (factors × in × in) permutation buffer per wrapped map, on the CPU where it
    was built (it is no adapter parameter, so PEFT does not move it to the meta base): about 30 GB on
    Llama 2 7B with every map targeted. It is neither a parameter nor saved (persistent=False), so
    moving it to the meta device after each update_layer changes no count, only the memory used."""
    from peft.tuners.boft import layer as boft_layer

    for cls in (boft_layer.Linear, boft_layer.Conv2d):
        original = cls.update_layer

        def update_layer(self, *args, _original=original, **kwargs):
            _original(self, *args, **kwargs)
            if getattr(self, "boft_P", None) is not None:
                self.boft_P = self.boft_P.to(META)

        cls.update_layer = update_layer


# --------------------------------------------------------------------------------------------------
# Model skeletons, named as HF transformers names them. Only the module tree, parameter shapes, tying
# and the config fields PEFT reads matter here; none of these models is ever run.
# --------------------------------------------------------------------------------------------------

import torch  # noqa: E402
from torch import nn  # noqa: E402

META = torch.device("meta")
# Where the skeleton's block weights live: the meta device, except for methods whose initialisation
# reads the base weights (PiSSA's SVD), which get real CPU weights on models small enough for that.
BASE = {"device": META}
NEEDS_REAL_WEIGHTS = {"pissa"}
REAL_WEIGHTS_MAX_PARAMS = 1_000_000_000


class HFConfig:
    """A transformers config: attributes as config.json names them, `attribute_map` aliases
    (GPT-2's n_embd read as hidden_size), to_dict() and get_text_config()."""

    attribute_map = {}

    def __init__(self, attribute_map=None, **fields):
        object.__setattr__(self, "attribute_map", attribute_map or {})
        for k, v in fields.items():
            object.__setattr__(self, k, v)

    def __getattr__(self, name):
        amap = object.__getattribute__(self, "attribute_map")
        if name in amap:
            return getattr(self, amap[name])
        raise AttributeError(name)

    def __setattr__(self, name, value):
        object.__setattr__(self, self.attribute_map.get(name, name), value)

    def __contains__(self, key):
        return key in self.to_dict()

    def to_dict(self):
        return {k: v for k, v in self.__dict__.items() if k != "attribute_map"}

    def get_text_config(self, *args, **kwargs):
        return self


def linear(i, o, bias):
    return nn.Linear(i, o, bias=bias, device=BASE["device"])


class Norm(nn.Module):
    """LayerNorm or RMSNorm: a weight, and a bias for LayerNorm."""

    def __init__(self, size, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(size, device=META))
        if bias:
            self.bias = nn.Parameter(torch.empty(size, device=META))


def token_embedding(vocab, width):
    # On the CPU (uninitialised, so untouched pages cost nothing): prompt tuning samples rows of it,
    # and the prompt encoders are placed on the device of the model's first parameter, which is this.
    return nn.Embedding(vocab, width)


def sub_config(config, **extra):
    return HFConfig(**{**config.to_dict(), **extra}, attribute_map=config.attribute_map)


def _stub_pretrained():
    from transformers import PreTrainedModel

    return PreTrainedModel


def make_classes():
    PreTrainedModel = _stub_pretrained()

    class Base(PreTrainedModel):
        def prepare_inputs_for_generation(self, *args, **kwargs):
            raise NotImplementedError

        def _prepare_encoder_decoder_kwargs_for_generation(self, *args, **kwargs):
            raise NotImplementedError

    return Base


def decoder_only_llama(m, Base):
    """LlamaForCausalLM / MistralForCausalLM / Qwen2ForCausalLM."""
    h, V = m["hiddenSize"], m["vocabSize"]
    att = m["attention"]
    q, kv = att["heads"] * att["headDim"], att["kvHeads"] * att["headDim"]
    f = m["ffn"]["size"]
    n = m["layers"]["decoder"]
    bias = m["bias"]
    has_bias = (lambda role: role in bias) if isinstance(bias, list) else (lambda role: bool(bias))
    config = HFConfig(
        model_type=m["family"],
        hidden_size=h,
        intermediate_size=f,
        num_hidden_layers=n,
        num_attention_heads=att["heads"],
        num_key_value_heads=att["kvHeads"],
        head_dim=att["headDim"],
        vocab_size=V,
        tie_word_embeddings=m["tiedEmbeddings"],
        is_encoder_decoder=False,
    )

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.config = config  # as LlamaAttention keeps it (adaption prompts read it)
            self.q_proj = linear(h, q, has_bias("attn.q"))
            self.k_proj = linear(h, kv, has_bias("attn.k"))
            self.v_proj = linear(h, kv, has_bias("attn.v"))
            self.o_proj = linear(q, h, has_bias("attn.o"))

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.gate_proj = linear(h, f, has_bias("mlp.gate"))
            self.up_proj = linear(h, f, has_bias("mlp.in"))
            self.down_proj = linear(f, h, has_bias("mlp.out"))

    class DecoderLayer(nn.Module):
        def __init__(self):
            super().__init__()
            self.self_attn = Attention()
            self.mlp = MLP()
            self.input_layernorm = Norm(h, False)
            self.post_attention_layernorm = Norm(h, False)

    class Model(Base):
        def __init__(self):
            super().__init__(config)
            self.embed_tokens = token_embedding(V, h)
            self.layers = nn.ModuleList(DecoderLayer() for _ in range(n))
            self.norm = Norm(h, False)

    class ForCausalLM(Base):
        _tied_weights_keys = ["lm_head.weight"] if m["tiedEmbeddings"] else None

        def __init__(self):
            super().__init__(config)
            self.model = Model()
            self.lm_head = linear(h, V, False)
            if m["tiedEmbeddings"]:
                self.lm_head.weight = self.model.embed_tokens.weight

        def get_input_embeddings(self):
            return self.model.embed_tokens

        def get_output_embeddings(self):
            return self.lm_head

    return ForCausalLM()


def t5(m, Base):
    """T5ForConditionalGeneration (plain DenseReluDense wi/wo, or gated wi_0/wi_1/wo)."""
    h, V = m["hiddenSize"], m["vocabSize"]
    att = m["attention"]
    inner = att["heads"] * att["headDim"]
    f = m["ffn"]["size"]
    gated = m["ffn"]["kind"] == "gated"
    enc, dec = m["layers"]["encoder"], m["layers"]["decoder"]
    buckets = m["relativeAttentionBuckets"]
    config = HFConfig(
        model_type=m["family"] if m["family"] in ("t5", "mt5", "umt5") else "t5",
        d_model=h,
        d_kv=att["headDim"],
        d_ff=f,
        num_layers=enc,
        num_decoder_layers=dec,
        num_heads=att["heads"],
        relative_attention_num_buckets=buckets,
        vocab_size=V,
        is_encoder_decoder=True,
        tie_word_embeddings=m["tiedEmbeddings"],
        attribute_map={"hidden_size": "d_model", "num_attention_heads": "num_heads", "num_hidden_layers": "num_layers"},
    )

    class Attention(nn.Module):
        def __init__(self, relative_bias):
            super().__init__()
            self.q = linear(h, inner, False)
            self.k = linear(h, inner, False)
            self.v = linear(h, inner, False)
            self.o = linear(inner, h, False)
            if relative_bias:
                self.relative_attention_bias = nn.Embedding(buckets, att["heads"], device=META)

    class SelfAttentionLayer(nn.Module):
        def __init__(self, relative_bias):
            super().__init__()
            self.SelfAttention = Attention(relative_bias)
            self.layer_norm = Norm(h, False)

    class CrossAttentionLayer(nn.Module):
        def __init__(self):
            super().__init__()
            self.EncDecAttention = Attention(False)
            self.layer_norm = Norm(h, False)

    class DenseReluDense(nn.Module):
        def __init__(self):
            super().__init__()
            if gated:
                self.wi_0 = linear(h, f, False)
                self.wi_1 = linear(h, f, False)
            else:
                self.wi = linear(h, f, False)
            self.wo = linear(f, h, False)

    class FFLayer(nn.Module):
        def __init__(self):
            super().__init__()
            self.DenseReluDense = DenseReluDense()
            self.layer_norm = Norm(h, False)

    class Block(nn.Module):
        def __init__(self, decoder, first):
            super().__init__()
            parts = [SelfAttentionLayer(first)] + ([CrossAttentionLayer()] if decoder else []) + [FFLayer()]
            self.layer = nn.ModuleList(parts)

    class Stack(Base):  # T5Stack is a T5PreTrainedModel
        def __init__(self, embed, decoder, layers):
            super().__init__(sub_config(config, is_decoder=decoder))
            self.embed_tokens = embed
            self.block = nn.ModuleList(Block(decoder, i == 0) for i in range(layers))
            self.final_layer_norm = Norm(h, False)

    class ForConditionalGeneration(Base):
        _tied_weights_keys = ["encoder.embed_tokens.weight", "decoder.embed_tokens.weight", "lm_head.weight"]

        def __init__(self):
            super().__init__(config)
            self.shared = token_embedding(V, h)
            # HF gives each stack an Embedding whose weight is `shared`'s.
            enc_embed, dec_embed = nn.Embedding(V, h, device=META), nn.Embedding(V, h, device=META)
            enc_embed.weight = self.shared.weight
            dec_embed.weight = self.shared.weight
            self.encoder = Stack(enc_embed, False, enc)
            self.decoder = Stack(dec_embed, True, dec)
            self.lm_head = linear(h, V, False)
            if m["tiedEmbeddings"]:
                self.lm_head.weight = self.shared.weight

        def get_input_embeddings(self):
            return self.shared

        def get_output_embeddings(self):
            return self.lm_head

        def get_encoder(self):
            return self.encoder

        def get_decoder(self):
            return self.decoder

    return ForConditionalGeneration()


def gpt2(m, Base):
    """GPT2LMHeadModel: Conv1D maps (weight [in, out])."""
    from transformers.pytorch_utils import Conv1D

    h, V = m["hiddenSize"], m["vocabSize"]
    f = m["ffn"]["size"]
    n = m["layers"]["decoder"]
    config = HFConfig(
        model_type="gpt2",
        n_embd=h,
        n_layer=n,
        n_head=m["attention"]["heads"],
        n_inner=f,
        n_positions=m["learnedPositions"],
        vocab_size=V,
        tie_word_embeddings=m["tiedEmbeddings"],
        is_encoder_decoder=False,
        attribute_map={"hidden_size": "n_embd", "num_attention_heads": "n_head", "num_hidden_layers": "n_layer", "max_position_embeddings": "n_positions"},
    )

    def conv(nf, nx):
        return Conv1D(nf, nx, device=BASE["device"])

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.config = config
            self.c_attn = conv(3 * h, h)
            self.c_proj = conv(h, h)

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_fc = conv(f, h)
            self.c_proj = conv(h, f)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1 = Norm(h, True)
            self.attn = Attention()
            self.ln_2 = Norm(h, True)
            self.mlp = MLP()

    class Model(Base):
        def __init__(self):
            super().__init__(config)
            self.wte = token_embedding(V, h)
            self.wpe = nn.Embedding(m["learnedPositions"], h, device=META)
            self.h = nn.ModuleList(Block() for _ in range(n))
            self.ln_f = Norm(h, True)

    class LMHeadModel(Base):
        base_model_prefix = "transformer"
        _tied_weights_keys = ["lm_head.weight"]

        def __init__(self):
            super().__init__(config)
            self.transformer = Model()
            self.lm_head = linear(h, V, False)
            if m["tiedEmbeddings"]:
                self.lm_head.weight = self.transformer.wte.weight

        def get_input_embeddings(self):
            return self.transformer.wte

        def get_output_embeddings(self):
            return self.lm_head

    return LMHeadModel()


def bert(m, Base):
    """BertForMaskedLM (no pooler; the MLM head cls.predictions with its own transform and bias)."""
    h, V = m["hiddenSize"], m["vocabSize"]
    f = m["ffn"]["size"]
    n = m["layers"]["encoder"]
    x = m.get("extras", {})
    config = HFConfig(
        model_type="bert",
        hidden_size=h,
        num_hidden_layers=n,
        num_attention_heads=m["attention"]["heads"],
        intermediate_size=f,
        max_position_embeddings=m["learnedPositions"],
        type_vocab_size=x.get("tokenTypes", 2),
        vocab_size=V,
        tie_word_embeddings=m["tiedEmbeddings"],
        is_encoder_decoder=False,
    )

    class Embeddings(nn.Module):
        def __init__(self):
            super().__init__()
            self.word_embeddings = token_embedding(V, h)
            self.position_embeddings = nn.Embedding(m["learnedPositions"], h, device=META)
            self.token_type_embeddings = nn.Embedding(x.get("tokenTypes", 2), h, device=META)
            self.LayerNorm = Norm(h, True)

    class SelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.query = linear(h, h, True)
            self.key = linear(h, h, True)
            self.value = linear(h, h, True)

    class SelfOutput(nn.Module):
        def __init__(self, i):
            super().__init__()
            self.dense = linear(i, h, True)
            self.LayerNorm = Norm(h, True)

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.self = SelfAttention()
            self.output = SelfOutput(h)

    class Intermediate(nn.Module):
        def __init__(self):
            super().__init__()
            self.dense = linear(h, f, True)

    class Layer(nn.Module):
        def __init__(self):
            super().__init__()
            self.attention = Attention()
            self.intermediate = Intermediate()
            self.output = SelfOutput(f)

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = nn.ModuleList(Layer() for _ in range(n))

    class Model(Base):
        def __init__(self):
            super().__init__(config)
            self.embeddings = Embeddings()
            self.encoder = Encoder()

    class Transform(nn.Module):
        def __init__(self):
            super().__init__()
            self.dense = linear(h, h, True)
            self.LayerNorm = Norm(h, True)

    class Predictions(nn.Module):
        def __init__(self, embeddings):
            super().__init__()
            self.transform = Transform()
            self.decoder = linear(h, V, True)
            self.bias = nn.Parameter(torch.empty(V, device=META))
            self.decoder.bias = self.bias  # as BertLMPredictionHead ties them
            if m["tiedEmbeddings"]:
                self.decoder.weight = embeddings.weight

    class OnlyMLMHead(nn.Module):
        def __init__(self, embeddings):
            super().__init__()
            self.predictions = Predictions(embeddings)

    class ForMaskedLM(Base):
        base_model_prefix = "bert"
        _tied_weights_keys = ["cls.predictions.decoder.weight", "cls.predictions.decoder.bias"]

        def __init__(self):
            super().__init__(config)
            self.bert = Model()
            self.cls = OnlyMLMHead(self.bert.embeddings.word_embeddings)

        def get_input_embeddings(self):
            return self.bert.embeddings.word_embeddings

        def get_output_embeddings(self):
            return self.cls.predictions.decoder

    return ForMaskedLM()


def opt(m, Base):
    """OPTForCausalLM (model.decoder.*; project_in/out only where the embedding is narrower)."""
    h, V = m["hiddenSize"], m["vocabSize"]
    f = m["ffn"]["size"]
    n = m["layers"]["decoder"]
    proj = m.get("extras", {}).get("embedProjection", h)
    config = HFConfig(
        model_type="opt",
        hidden_size=h,
        word_embed_proj_dim=proj,
        num_hidden_layers=n,
        num_attention_heads=m["attention"]["heads"],
        ffn_dim=f,
        max_position_embeddings=m["learnedPositions"] - 2,
        vocab_size=V,
        tie_word_embeddings=m["tiedEmbeddings"],
        is_encoder_decoder=False,
    )

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.k_proj = linear(h, h, True)
            self.v_proj = linear(h, h, True)
            self.q_proj = linear(h, h, True)
            self.out_proj = linear(h, h, True)

    class Layer(nn.Module):
        def __init__(self):
            super().__init__()
            self.self_attn = Attention()
            self.self_attn_layer_norm = Norm(h, True)
            self.fc1 = linear(h, f, True)
            self.fc2 = linear(f, h, True)
            self.final_layer_norm = Norm(h, True)

    class Decoder(Base):  # OPTDecoder is an OPTPreTrainedModel
        def __init__(self):
            super().__init__(config)
            self.embed_tokens = token_embedding(V, proj)
            self.embed_positions = nn.Embedding(m["learnedPositions"], h, device=META)
            if proj != h:
                self.project_out = linear(h, proj, False)
                self.project_in = linear(proj, h, False)
            self.final_layer_norm = Norm(h, True)
            self.layers = nn.ModuleList(Layer() for _ in range(n))

    class Model(Base):
        def __init__(self):
            super().__init__(config)
            self.decoder = Decoder()

    class ForCausalLM(Base):
        _tied_weights_keys = ["lm_head.weight"]

        def __init__(self):
            super().__init__(config)
            self.model = Model()
            self.lm_head = linear(proj, V, False)
            if m["tiedEmbeddings"]:
                self.lm_head.weight = self.model.decoder.embed_tokens.weight

        def get_input_embeddings(self):
            return self.model.decoder.embed_tokens

        def get_output_embeddings(self):
            return self.lm_head

    return ForCausalLM()


BUILDERS = {
    "llama": decoder_only_llama,
    "mistral": decoder_only_llama,
    "qwen2": decoder_only_llama,
    "t5": t5,
    "flan-t5": t5,
    "gpt2": gpt2,
    "bert": bert,
    "opt": opt,
}


# The transformers class each skeleton reproduces (the class our export's snippet loads).
HF_CLASS = {
    "llama": "LlamaForCausalLM",
    "mistral": "MistralForCausalLM",
    "qwen2": "Qwen2ForCausalLM",
    "t5": "T5ForConditionalGeneration",
    "flan-t5": "T5ForConditionalGeneration",
    "gpt2": "GPT2LMHeadModel",
    "bert": "BertForMaskedLM",
    "opt": "OPTForCausalLM",
}


def build_model(entry):
    family = entry["family"]
    if family not in BUILDERS:
        raise ValueError(f"no skeleton for family {family}")
    return BUILDERS[family](entry, make_classes())


# --------------------------------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------------------------------


def python_value(v):
    if isinstance(v, dict) and set(v) == {"__python__"}:
        code = v["__python__"]
        if code.startswith("torch."):
            return getattr(torch, code.split(".", 1)[1])
        raise ValueError(f"cannot evaluate {code}")
    if isinstance(v, dict):
        return {k: python_value(x) for k, x in v.items()}
    if isinstance(v, list):
        return [python_value(x) for x in v]
    return v


class NotRun(Exception):
    """A case this script does not build (recorded as `notRun`, not as an HF PEFT error)."""


def count_case(peft, entry, case, args_override=None):
    from peft import get_peft_model, get_peft_model_state_dict

    cls = getattr(peft, case["peftConfig"]["class"])
    args = {**python_value(case["peftConfig"]["args"]), **(args_override or {})}
    real = case["method"] in NEEDS_REAL_WEIGHTS
    if real and entry["publishedTotal"] > REAL_WEIGHTS_MAX_PARAMS:
        raise NotRun(f"{case['method']} initialises from the base weights (an SVD), which this script builds for models up to {REAL_WEIGHTS_MAX_PARAMS:,} parameters only")
    BASE["device"] = torch.device("cpu") if real else META
    try:
        model = build_model(entry)
    finally:
        BASE["device"] = META
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        config = cls(**args)
        peft_model = get_peft_model(model, config)
        if case["method"] == "lora-fa":
            # As our export's note says: LoRA-FA is this LoraConfig trained with PEFT's
            # create_lorafa_optimizer, which freezes every lora_A.
            from peft.optimizers import create_lorafa_optimizer

            create_lorafa_optimizer(peft_model, r=args["r"], lora_alpha=args["lora_alpha"], lr=1e-4)
        trainable, total = peft_model.get_nb_trainable_parameters()
        state = get_peft_model_state_dict(peft_model)
        saved = sum(t.numel() for t in state.values())
        adapter_only = get_peft_model_state_dict(peft_model, save_embedding_layers=False)
        saved_adapter_only = sum(t.numel() for t in adapter_only.values())
    messages = sorted({str(w.message).split("\n")[0][:300] for w in caught})
    result = {
        "trainable": int(trainable),
        "saved": int(saved),
        "savedKeys": len(state),
        "warnings": messages,
    }
    if saved_adapter_only != saved:
        # save_embedding_layers="auto" adds the base embedding/LM head weights when they are targeted.
        result["savedWithoutEmbeddingLayers"] = int(saved_adapter_only)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peft-src", help="PEFT's src/ folder (at PEFT_COMMIT)")
    ap.add_argument("--peft-git-dir", default=DEFAULT_GIT_DIR, help="a (bare) clone of huggingface/peft to export src/ from")
    ap.add_argument("--cases", default=os.path.join(HERE, "cases.json"))
    ap.add_argument("--out", default=os.path.join(ROOT, "lib", "peft", "testing", "hf-peft-counts.json"))
    ap.add_argument("--only", help="count only the cases of these method ids (comma-separated)")
    opts = ap.parse_args()

    src = opts.peft_src
    commit = PEFT_COMMIT
    if src is None:
        tmp = tempfile.mkdtemp(prefix="peft-src-")
        archive = subprocess.run(["git", f"--git-dir={opts.peft_git_dir}", "archive", PEFT_COMMIT, "src/peft"], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        src = os.path.join(tmp, "src")
    peft = import_peft(src)

    with open(os.path.join(ROOT, "content", "data", "models.json")) as fh:
        entries = {m["id"]: m for m in json.load(fh)["models"]}
    with open(opts.cases) as fh:
        cases = json.load(fh)["cases"]
    if opts.only:
        cases = [c for c in cases if c["method"] in opts.only.split(",")]

    # Each skeleton's own parameter count (tied weights once), so the test can check the shapes
    # against models.json's published totals.
    skeletons = {}
    for model_id in sorted({c["model"] for c in cases}):
        skeleton = build_model(entries[model_id])
        skeletons[model_id] = {"class": HF_CLASS[entries[model_id]["family"]], "params": sum(p.numel() for p in skeleton.parameters())}

    rows = []
    for case in cases:
        row = {k: case[k] for k in ("method", "model", "config")}
        row["peftConfig"] = {"class": case["peftConfig"]["class"], "args": case["peftConfig"]["args"]}
        try:
            row.update(count_case(peft, entries[case["model"]], case))
            print(f"{case['method']:14} {case['model']:28} trainable {row['trainable']:>12,} saved {row['saved']:>12,}", flush=True)
        except NotRun as why:
            row["notRun"] = str(why)
            print(f"{case['method']:14} {case['model']:28} not run: {why}", flush=True)
        except Exception as err:  # HF PEFT refuses the config: recorded, not hidden
            row["error"] = f"{type(err).__name__}: {str(err).splitlines()[0][:400]}" if str(err) else type(err).__name__
            print(f"{case['method']:14} {case['model']:28} ERROR {row['error']}", flush=True)
            if os.environ.get("ORACLE_TRACEBACK"):
                traceback.print_exc()
            # get_peft_model needs a task_type for prompt learning (it looks up the PeftModel class by
            # it): without one it raises KeyError: None. Count once more with FEATURE_EXTRACTION, the
            # task type for a bare encoder, so the counts are still compared.
            if isinstance(err, KeyError) and "task_type" not in case["peftConfig"]["args"]:
                fallback = {"task_type": "FEATURE_EXTRACTION"}
                row["fallback"] = {"args": fallback, **count_case(peft, entries[case["model"]], case, fallback)}
                print(f"{'':14} {'':28} with {fallback}: trainable {row['fallback']['trainable']:>12,} saved {row['fallback']['saved']:>12,}", flush=True)
        rows.append(row)

    out = {
        "peftCommit": commit,
        "peftVersion": peft.__version__,
        "torchVersion": torch.__version__,
        "generatedBy": "/usr/bin/python3 scripts/hf-peft-oracle/count.py (cases from npx tsx scripts/hf-peft-oracle/cases.ts)",
        "skeletons": skeletons,
        "rows": rows,
    }
    with open(opts.out, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    print(f"{len(rows)} rows -> {opts.out}")


if __name__ == "__main__":
    main()
