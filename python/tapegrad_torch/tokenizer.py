"""A checkpoint's vocabulary applied to text, exactly as `tapegrad eval` reads a file (lm/text/corpus.cpp, vocab.cpp).

Ids: 0 = <unk>, 1 = </s>, then the vocabulary's tokens in the order the checkpoint stores them. A text becomes one
stream of ids, each sentence followed by </s>:
  word level: one sentence per line (a trailing '\\r' dropped), words split on ASCII white space (space, tab, CR, LF,
              VT, FF); blank lines carry no sentence; '<s>' and '</s>' in the text are refused.
  char level: lines split on '\\n' only; every Unicode code point of a line is a token (a '\\r' too); an empty line is
              an empty sentence (just </s>); no sentence after a final '\\n'.
Tokens missing from the vocabulary become <unk> and are counted (`oov`).

The vocabulary's text form (metadata key "vocab"): one token per line in id order; a backslash is written '\\\\', and
a space, a control byte (≤ 0x20, 0x7f) or a byte that is not UTF-8 as '\\xHH'.
"""
import re

UNK, EOS = 0, 1
UNK_TOKEN, EOS_TOKEN, BOS_TOKEN = "<unk>", "</s>", "<s>"
_BLANK = re.compile(r"[ \t\r\n\v\f]+")


def escape_token(token: str) -> str:
    out = []
    for ch in token:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (decoded with surrogateescape)
            out.append("\\x%02x" % (code - 0xDC00))
        elif code >= 0x80:
            out.append(ch)
        elif ch == "\\":
            out.append("\\\\")
        elif code <= 0x20 or code == 0x7F:
            out.append("\\x%02x" % code)
        else:
            out.append(ch)
    return "".join(out)


def unescape_token(text: str, where: str = "vocab") -> str:
    raw, i = bytearray(), 0
    while i < len(text):
        if text[i] != "\\":
            raw += text[i].encode("utf-8", "surrogateescape")
            i += 1
        elif text[i + 1:i + 2] == "\\":
            raw += b"\\"
            i += 2
        elif text[i + 1:i + 2] == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", text[i + 2:i + 4] or ""):
            raw.append(int(text[i + 2:i + 4], 16))
            i += 4
        else:
            raise ValueError(f"{where}: malformed escape in token '{text}' (expected \\\\ or \\xHH)")
    return raw.decode("utf-8", "surrogateescape")


class Tokenizer:
    """The vocabulary of a checkpoint and its level ("word" or "char")."""

    def __init__(self, tokens, level):
        if len(tokens) < 3 or tokens[0] != UNK_TOKEN or tokens[1] != EOS_TOKEN:
            raise ValueError("a vocabulary begins with <unk> (id 0) and </s> (id 1) and holds at least one more token")
        if level not in ("word", "char"):
            raise ValueError(f"unknown level '{level}' (expected word or char)")
        self.tokens = list(tokens)
        self.level = level
        self.ids = {t: i for i, t in enumerate(self.tokens)}
        if len(self.ids) != len(self.tokens):
            raise ValueError("the vocabulary holds a token twice")

    @classmethod
    def from_text(cls, vocab_text, level, where="vocab"):
        lines = vocab_text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        tokens = []
        for number, line in enumerate(lines, 1):
            line = line[:-1] if line.endswith("\r") else line
            if not line:
                raise ValueError(f"{where}:{number}: empty line: expected one token per line")
            tokens.append(unescape_token(line, f"{where}:{number}"))
        return cls(tokens, level)

    def to_text(self):
        return "".join(escape_token(t) + "\n" for t in self.tokens)

    def __len__(self):
        return len(self.tokens)

    def sentences(self, text):
        """The text's sentences as lists of tokens (strings), read as `tapegrad eval` reads a file."""
        if "\0" in text:
            raise ValueError("the text holds a NUL byte")
        if self.level == "char":
            body = text[:-1] if text.endswith("\n") else text
            return [] if not text else [list(line) for line in body.split("\n")]
        out = []
        for number, line in enumerate(text.split("\n"), 1):
            words = [w for w in _BLANK.split(line) if w]
            for w in words:
                if w in (BOS_TOKEN, EOS_TOKEN):
                    raise ValueError(f"line {number}: '{w}' is reserved: a line end marks the end of a sentence")
            if words:
                out.append(words)
        return out

    def encode(self, text):
        """Text → (ids, oov): the stream of ids with </s> after every sentence, and how many tokens were unknown."""
        ids, oov = [], 0
        for sentence in self.sentences(text):
            for token in sentence:
                i = self.ids.get(token)
                oov += i is None
                ids.append(UNK if i is None else i)
            ids.append(EOS)
        if not ids:
            raise ValueError("no sentence in the text (only blank lines)")
        return ids, oov

    def encode_file(self, path, encoding="utf8"):
        """A text file's ids (utf8, checked, or latin1: each byte one character), as `tapegrad eval --data` reads it."""
        with open(path, "rb") as f:
            raw = f.read()
        if not raw:
            raise ValueError(f"{path}: the file is empty")
        try:
            text = raw.decode("utf-8" if encoding == "utf8" else "latin-1")
        except UnicodeDecodeError as e:
            raise ValueError(f"{path}: not valid UTF-8 at byte {e.start} (is it Latin-1? try encoding='latin1')")
        return self.encode(text)

    def decode(self, ids):
        """Ids → text: words joined by spaces, characters concatenated, </s> a line break."""
        out, line_start = [], True
        for i in ids:
            if i == EOS:
                out.append("\n")
                line_start = True
                continue
            if self.level == "word" and not line_start:
                out.append(" ")
            out.append(self.tokens[i])
            line_start = False
        return "".join(out)
