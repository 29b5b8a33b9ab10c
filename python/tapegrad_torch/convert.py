"""tapegrad checkpoint tensors ↔ torch state_dict entries, and the checkpoint files themselves.

What maps to what (tapegrad stores x·W, with W as in × out; torch stores W·x, with weight as out × in):
  embedding.table (V × E)            encoder.weight (V × E)              window model: embedding.weight
  rnn.layer<l>.W_ih (I × G·H)        rnn.weight_ih_l<l> = W_ihᵀ          gate blocks: LSTM i f g o, GRU r z n (both)
  rnn.layer<l>.W_hh (H × G·H)        rnn.weight_hh_l<l> = W_hhᵀ
  rnn.layer<l>.b (G·H)               rnn.bias_ih_l<l> = b, rnn.bias_hh_l<l> = 0       (RNN, LSTM: one bias suffices)
  GRU, reset after:                  bias_ih = [b_r, −b_z, b_n], bias_hh = [0, 0, b_hn]
  rnn.layer<l>.b_hn (H)              (the n block of bias_hh)
  GRU, reset before (LectureGRU):    bias_l<l> = [b_r, −b_z, b_n]
  decoder.W (H × V), decoder.b       decoder.weight = Wᵀ, decoder.bias
  tied: decoder_bias (V)             decoder.bias; decoder.weight is encoder.weight
  window: hidden.W, output.W, direct.W    hidden.weight, output.weight, direct.weight (transposed); biases as they are
The GRU's update gate: tapegrad's z = 1 takes the candidate (h' = (1 − z)h + z n), PyTorch's keeps the old state
(h' = (1 − z)n + z h); since 1 − σ(a) = σ(−a), the z block of every GRU weight and bias changes sign.
Exporting sums the two torch biases where tapegrad has one (b = bias_ih + bias_hh; for the GRU's r and z blocks too).
"""
import json

import numpy as np

from . import safetensors_io
from .tokenizer import Tokenizer

MODEL_KEY, VOCAB_KEY, LEVEL_KEY = "model_config", "vocab", "level"

# Every key tapegrad's ModelConfig::from_json requires, with the values `tapegrad train` defaults to.
CONFIG_DEFAULTS = {"model": "lstm", "vocab": 0, "emsize": 200, "nhid": 200, "nlayers": 2, "dropout": 0.0,
                   "tied": False, "context": 5, "direct": False, "form": "fused", "gru_reset_after": False,
                   "init_range": 0.1, "forget_bias": 0.0}


def make_config(**fields):
    """A complete tapegrad model configuration: the given fields over the defaults (model, vocab, emsize, nhid, …)."""
    unknown = set(fields) - set(CONFIG_DEFAULTS)
    if unknown:
        raise ValueError(f"unknown model configuration keys: {sorted(unknown)} (known: {sorted(CONFIG_DEFAULTS)})")
    return {**CONFIG_DEFAULTS, **fields}


def _gates(config):
    return {"lstm": 4, "gru": 3, "rnn": 1}[config["model"]]


def _z_sign(config, H):
    """+1 everywhere, −1 on the update-gate block of a GRU (rows H … 2H of the torch layout)."""
    s = np.ones(_gates(config) * H, dtype=np.float64)
    if config["model"] == "gru":
        s[H:2 * H] = -1
    return s


def to_torch(tensors, config):
    """tapegrad tensors {name: array} → torch state_dict entries {name: array} (module names of models.py)."""
    c, t = config, tensors
    if c["model"] == "window":
        sd = {"embedding.weight": t["embedding.table"], "hidden.weight": t["hidden.W"].T, "hidden.bias": t["hidden.b"],
              "output.weight": t["output.W"].T, "output.bias": t["output.b"]}
        if c["direct"]:
            sd["direct.weight"] = t["direct.W"].T
        return {k: np.ascontiguousarray(v) for k, v in sd.items()}
    H = c["nhid"]
    sign = _z_sign(c, H)
    sd = {"encoder.weight": t["embedding.table"]}
    for l in range(c["nlayers"]):
        cell = f"rnn.layer{l}."
        sd[f"rnn.weight_ih_l{l}"] = t[cell + "W_ih"].T * sign[:, None]
        sd[f"rnn.weight_hh_l{l}"] = t[cell + "W_hh"].T * sign[:, None]
        b = t[cell + "b"] * sign
        if c["model"] == "gru" and not c["gru_reset_after"]:
            sd[f"rnn.bias_l{l}"] = b
            continue
        sd[f"rnn.bias_ih_l{l}"] = b
        b_hh = np.zeros_like(b)
        if c["model"] == "gru":
            b_hh[2 * H:] = t[cell + "b_hn"]
        sd[f"rnn.bias_hh_l{l}"] = b_hh
    if c["tied"]:
        sd["decoder.weight"] = t["embedding.table"]
        sd["decoder.bias"] = t["decoder_bias"]
    else:
        sd["decoder.weight"] = t["decoder.W"].T
        sd["decoder.bias"] = t["decoder.b"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def to_tapegrad(state, config, gradients=False):
    """torch state_dict entries {name: array or tensor} → tapegrad tensors {name: float32 array}.

    gradients=True maps gradients instead of values: the adjoint of to_torch, in which the hidden-side biases that
    to_torch sets to zero (all of bias_hh but the GRU's n block) contribute nothing."""
    sd = {k: (v.detach().cpu().double().numpy() if hasattr(v, "detach") else np.asarray(v, dtype=np.float64))
          for k, v in state.items()}
    c = config
    if c["model"] == "window":
        t = {"embedding.table": sd["embedding.weight"], "hidden.W": sd["hidden.weight"].T, "hidden.b": sd["hidden.bias"],
             "output.W": sd["output.weight"].T, "output.b": sd["output.bias"]}
        if c["direct"]:
            t["direct.W"] = sd["direct.weight"].T
        return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in t.items()}
    H = c["nhid"]
    sign = _z_sign(c, H)
    t = {"embedding.table": sd["encoder.weight"]}
    for l in range(c["nlayers"]):
        cell = f"rnn.layer{l}."
        t[cell + "W_ih"] = (sd[f"rnn.weight_ih_l{l}"] * sign[:, None]).T
        t[cell + "W_hh"] = (sd[f"rnn.weight_hh_l{l}"] * sign[:, None]).T
        if c["model"] == "gru" and not c["gru_reset_after"]:
            t[cell + "b"] = sd[f"rnn.bias_l{l}"] * sign
            continue
        b_ih, b_hh = sd[f"rnn.bias_ih_l{l}"], sd[f"rnn.bias_hh_l{l}"].copy()
        if c["model"] == "gru":
            t[cell + "b_hn"] = b_hh[2 * H:].copy()
            b_hh[2 * H:] = 0  # the n block of bias_hh sits inside r ⊙ (…): it is b_hn, not part of b
        t[cell + "b"] = (b_ih if gradients else b_ih + b_hh) * sign
    if c["tied"]:
        if not gradients and not np.array_equal(sd["decoder.weight"], sd["encoder.weight"]):
            raise ValueError("the configuration says tied, but decoder.weight differs from encoder.weight")
        t["decoder_bias"] = sd["decoder.bias"]
    else:
        t["decoder.W"] = sd["decoder.weight"].T
        t["decoder.b"] = sd["decoder.bias"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in t.items()}


def read_checkpoint(path):
    """(config dict, Tokenizer, tensors {name: array}, metadata) of a tapegrad language-model checkpoint."""
    tensors, meta = safetensors_io.read(path)
    for key in (MODEL_KEY, VOCAB_KEY, LEVEL_KEY):
        if key not in meta:
            raise safetensors_io.FormatError(f"{path}: not a tapegrad language-model checkpoint (its metadata has "
                                             f"no '{key}')")
    config = make_config(**json.loads(meta[MODEL_KEY]))
    tokenizer = Tokenizer.from_text(meta[VOCAB_KEY], meta[LEVEL_KEY], f"{path} (vocabulary)")
    if len(tokenizer) != config["vocab"]:
        raise safetensors_io.FormatError(f"{path}: the vocabulary has {len(tokenizer)} tokens but the model "
                                         f"{config['vocab']}")
    return config, tokenizer, tensors, meta


def load(path, dtype=None):
    """A tapegrad checkpoint as (torch model in evaluation mode, Tokenizer). dtype: e.g. torch.float64."""
    import torch
    from .models import build
    config, tokenizer, tensors, _ = read_checkpoint(path)
    model = build(config)
    state = {k: torch.from_numpy(v) for k, v in to_torch(tensors, config).items()}
    model.load_state_dict(state, strict=True)
    if dtype is not None:
        model.to(dtype)
    return model.eval(), tokenizer


def export_state_dict(state_dict, config, tokenizer, path, metadata=None):
    """Writes a torch state_dict (of a models.py model of `config`) as a checkpoint `tapegrad eval`/`generate` load."""
    config = make_config(**config)
    if len(tokenizer) != config["vocab"]:
        raise ValueError(f"the vocabulary has {len(tokenizer)} tokens but the model configuration {config['vocab']}")
    tensors = to_tapegrad(state_dict, config)
    meta = dict(metadata or {})
    meta.update({MODEL_KEY: json.dumps(config), VOCAB_KEY: tokenizer.to_text(), LEVEL_KEY: tokenizer.level})
    safetensors_io.write(path, tensors, meta)


def save(model, path, tokenizer, metadata=None):
    """Writes a models.py model (its .config and weights) as a tapegrad checkpoint."""
    export_state_dict(model.state_dict(), model.config, tokenizer, path, metadata)
