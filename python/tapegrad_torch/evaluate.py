"""Perplexity of a token stream under a torch model, counted exactly as `tapegrad eval` counts it
(lm/neural/evaluate.hpp), so the two numbers can be compared:

  recurrent: the stream is prefixed with one </s>, cut into B = min(batch, N/2) parallel streams of L = ⌊N/B⌋ tokens
             (the last N mod B dropped), and every stream predicts its tokens 1 … L−1 from a zero state, read in
             windows of bptt steps with the state carried (the windows change nothing in a forward pass);
  window:    every token is predicted, the context before the stream padded with </s>.
  PPL = exp(−(1/N) Σ log P(x_t | history)), N the predictions counted.
"""
import math

import numpy as np
import torch
from torch.nn import functional as F

from .tokenizer import EOS


def parallel_streams(ids, batch):
    """ids (N) → B × L array: stream b = ids[b·L, (b+1)·L), as tapegrad's StreamBatcher cuts them."""
    ids = np.asarray(ids, dtype=np.int64)
    length = len(ids) // batch
    if batch <= 0 or length < 2:
        raise ValueError(f"{len(ids)} tokens cannot make {batch} streams of at least 2 tokens")
    return ids[:batch * length].reshape(batch, length)


def stream_window(ids, batch, bptt, w=0):
    """Window w of StreamBatcher(ids, batch, bptt): (inputs, targets), each steps × batch, time-major."""
    s = parallel_streams(ids, batch)
    start = w * bptt
    steps = min(bptt, s.shape[1] - 1 - start)
    return (torch.from_numpy(s[:, start:start + steps].T.copy()),
            torch.from_numpy(s[:, start + 1:start + 1 + steps].T.copy()))


def window_contexts(ids, context, begin=0, end=None):
    """Examples begin … end−1 of WindowBatcher in stream order: (contexts n × context, oldest first; targets n)."""
    ids = np.asarray(ids, dtype=np.int64)
    end = len(ids) if end is None else min(end, len(ids))
    padded = np.concatenate([np.full(context, EOS, dtype=np.int64), ids])
    rows = np.arange(begin, end)[:, None] + np.arange(context)[None, :]
    return torch.from_numpy(padded[rows]), torch.from_numpy(ids[begin:end])


@torch.no_grad()
def loss_and_count(model, ids, batch=10, bptt=35, chunk=4096):
    """(summed negative log-likelihood in nats, predictions counted) over the token stream `ids`; window models
    score `chunk` examples at a time."""
    model.eval()
    if model.config["model"] == "window":
        total = 0.0
        for begin in range(0, len(ids), chunk):
            contexts, targets = window_contexts(ids, model.config["context"], begin, begin + chunk)
            total += F.cross_entropy(model(contexts), targets, reduction="sum").item()
        return total, len(ids)
    prefixed = [EOS] + list(ids)
    b = max(1, min(batch, len(prefixed) // 2))
    s = torch.from_numpy(parallel_streams(prefixed, b).T.copy())  # L × B
    total, state = 0.0, None
    for start in range(0, s.shape[0] - 1, bptt):  # windows of bptt steps, the state carried (memory: bptt·B·V)
        end = min(start + bptt, s.shape[0] - 1)
        logits, state = model(s[start:end], state)
        total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), s[start + 1:end + 1].reshape(-1),
                                 reduction="sum").item()
    return total, (s.shape[0] - 1) * b


def perplexity(model, ids, batch=10, bptt=35):
    """exp of the mean negative log-likelihood per predicted token; batch and bptt as `tapegrad eval`'s flags (bptt
    changes nothing but the memory used)."""
    total, n = loss_and_count(model, ids, batch, bptt)
    return math.exp(total / n)
