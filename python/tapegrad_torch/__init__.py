"""tapegrad_torch: tapegrad language-model checkpoints in PyTorch, and back (docs/interop.md).

    import tapegrad_torch as tt
    model, tok = tt.load("out/char-lstm.safetensors")          # torch.nn model (eval mode) + the vocabulary
    print(tt.perplexity(model, tok.encode_file("valid.txt")[0]))  # the number `tapegrad eval` prints
    tt.save(model, "out/from-torch.safetensors", tok)          # a checkpoint `tapegrad eval`/`generate` load

safetensors_io and tokenizer need only numpy; models, load, save and perplexity need torch.
"""
from . import safetensors_io
from .safetensors_io import FormatError
from .tokenizer import Tokenizer, EOS, UNK
from .convert import make_config, read_checkpoint, to_torch, to_tapegrad

try:
    import torch as _torch  # noqa: F401
except ImportError:  # numpy-only use: reading and writing checkpoints' tensors, the tokenizer
    pass
else:
    from .convert import load, save, export_state_dict
    from .models import LectureGRU, RNNLanguageModel, WindowLanguageModel, build
    from .evaluate import perplexity, loss_and_count, stream_window, window_contexts
