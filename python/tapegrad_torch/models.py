"""The torch.nn equivalents of tapegrad's language models (lm/neural/rnn_lm.hpp, window_lm.hpp).

RNNLanguageModel — embedding → recurrent stack → linear decoder, the layout of PyTorch's word_language_model example
(state_dict names encoder.weight, rnn.weight_ih_l0 …, decoder.weight, decoder.bias):
    e_t = dropout(E[x_t])                     (T × B × emsize)
    h_t = rnn(e_t, h_{t−1})                   (T × B × nhid)   nn.LSTM | nn.GRU (reset after) | nn.RNN(tanh) |
                                                                LectureGRU (reset before), dropout between layers
    logits_t = dropout(h_t)·Uᵀ + b            (T × B × vocab)  tied: U = E (decoder.weight is encoder.weight)

WindowLanguageModel — Bengio et al. (2003), the n − 1 previous tokens predict the next:
    e = [E[w_{t−n+1}]; …; E[w_{t−1}]]          (B × context·emsize)
    h = dropout(tanh(hidden(e)))               (B × nhid)
    logits = output(h) [+ direct(e)]           (B × vocab)      direct: no bias

LectureGRU — the GRU of Cho et al. with the reset gate applied before the recurrent product, written with PyTorch's
conventions (gate blocks r, z, n; z = 1 keeps the old state), since torch.nn.GRU only has the reset-after form:
    r = σ(x W_irᵀ + h W_hrᵀ + b_r)    z = σ(x W_izᵀ + h W_hzᵀ + b_z)
    n = tanh(x W_inᵀ + b_n + (r ⊙ h) W_hnᵀ)
    h' = (1 − z) ⊙ n + z ⊙ h
Parameters per layer k: weight_ih_l{k} (3H × I), weight_hh_l{k} (3H × H), bias_l{k} (3H) — one bias: in the
reset-before form a hidden-side bias would be redundant with the input-side one.

Each model keeps the tapegrad configuration it was built from in `.config` (the dict stored as "model_config").
"""
import torch
from torch import nn


class LectureGRU(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers=1, dropout=0.0):
        super().__init__()
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.dropout = dropout
        bound = hidden_size ** -0.5
        for k in range(num_layers):
            inp = input_size if k == 0 else hidden_size
            self.register_parameter(f"weight_ih_l{k}", nn.Parameter(torch.empty(3 * hidden_size, inp)))
            self.register_parameter(f"weight_hh_l{k}", nn.Parameter(torch.empty(3 * hidden_size, hidden_size)))
            self.register_parameter(f"bias_l{k}", nn.Parameter(torch.empty(3 * hidden_size)))
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def forward(self, x, h0=None):
        """x: T × B × I; h0: layers × B × H (or None: zeros) → (outputs T × B × H, h_n layers × B × H)."""
        H = self.hidden_size
        if h0 is None:
            h0 = x.new_zeros(self.num_layers, x.shape[1], H)
        finals = []
        for k in range(self.num_layers):
            W_ih, W_hh = getattr(self, f"weight_ih_l{k}"), getattr(self, f"weight_hh_l{k}")
            b = getattr(self, f"bias_l{k}")
            xw = torch.matmul(x, W_ih.t()) + b  # T × B × 3H, the input side of every step at once
            h, outs = h0[k], []
            for t in range(x.shape[0]):
                hw = torch.matmul(h, W_hh[:2 * H].t())
                r = torch.sigmoid(xw[t, :, :H] + hw[:, :H])
                z = torch.sigmoid(xw[t, :, H:2 * H] + hw[:, H:])
                n = torch.tanh(xw[t, :, 2 * H:] + torch.matmul(r * h, W_hh[2 * H:].t()))
                h = (1 - z) * n + z * h
                outs.append(h)
            x = torch.stack(outs)
            finals.append(h)
            if k + 1 < self.num_layers and self.dropout > 0:
                x = nn.functional.dropout(x, self.dropout, self.training)
        return x, torch.stack(finals)


class RNNLanguageModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        c = dict(config)
        self.config = c
        kind, V, E, H, L = c["model"], c["vocab"], c["emsize"], c["nhid"], c["nlayers"]
        p = float(c.get("dropout", 0.0))
        self.drop = nn.Dropout(p)
        self.encoder = nn.Embedding(V, E)
        between = p if L > 1 else 0.0  # torch warns about inter-layer dropout with one layer
        if kind == "lstm":
            self.rnn = nn.LSTM(E, H, L, dropout=between)
        elif kind == "rnn":
            self.rnn = nn.RNN(E, H, L, nonlinearity="tanh", dropout=between)
        elif kind == "gru" and c.get("gru_reset_after", False):
            self.rnn = nn.GRU(E, H, L, dropout=between)
        elif kind == "gru":
            self.rnn = LectureGRU(E, H, L, dropout=between)
        else:
            raise ValueError(f"RNNLanguageModel: unknown recurrent model '{kind}' (expected rnn, lstm or gru)")
        self.decoder = nn.Linear(H, V)
        if c.get("tied", False):
            if E != H:
                raise ValueError(f"tied weights need emsize == nhid (got {E} and {H})")
            self.decoder.weight = self.encoder.weight

    def forward(self, ids, state=None):
        """ids: T × B token ids (time-major) → (logits T × B × vocab, final state to carry to the next window)."""
        out, state = self.rnn(self.drop(self.encoder(ids)), state)
        return self.decoder(self.drop(out)), state


class WindowLanguageModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        c = dict(config)
        self.config = c
        V, E, H, n = c["vocab"], c["emsize"], c["nhid"], c["context"]
        self.context = n
        self.embedding = nn.Embedding(V, E)
        self.hidden = nn.Linear(n * E, H)
        self.output = nn.Linear(H, V)
        self.direct = nn.Linear(n * E, V, bias=False) if c.get("direct", False) else None
        self.drop = nn.Dropout(float(c.get("dropout", 0.0)))

    def forward(self, contexts):
        """contexts: B × context ids, oldest first → logits B × vocab."""
        e = self.embedding(contexts).reshape(contexts.shape[0], -1)
        logits = self.output(self.drop(torch.tanh(self.hidden(e))))
        return logits + self.direct(e) if self.direct is not None else logits


def build(config):
    """The torch model of a tapegrad model configuration (dict), with torch's default initialisation."""
    return WindowLanguageModel(config) if config["model"] == "window" else RNNLanguageModel(config)
