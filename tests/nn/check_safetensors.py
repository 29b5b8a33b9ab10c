#!/usr/bin/env python3
"""Parse a safetensors file with the standard library only (struct, json) and check its layout the way Hugging
Face's safetensors loader does, so a tapegrad checkpoint is known to open there (neither safetensors nor numpy is
installed on the build machine).

    check_safetensors.py FILE                   check FILE, print its metadata and tensors
    check_safetensors.py --expect-sample FILE   also check the contents written by tests/nn/checkpoint_sample
    check_safetensors.py --self-test            check that malformed files are rejected

Checks (the loader's rules): the 8-byte little-endian header length N is at most 100 MiB and fits in the file; the
header is UTF-8 JSON starting with '{', an object; "__metadata__", if present, maps strings to strings; every other
entry has a known dtype, a shape of non-negative integers and data_offsets [begin, end] with end - begin equal to
the element count times the dtype's size; sorted by offset, the tensors cover the data section exactly, without
overlap or gap. Plus tapegrad's own promises: the data section starts at a multiple of 8 and every tensor at a
multiple of its element size; and when the metadata has "tapegrad.checksum", it is "crc32:" and 8 lowercase hex
digits equal to zlib.crc32 of the data section (computed here with Python's zlib, independently of tapegrad's code).
"""
import json
import math
import re
import struct
import sys
import zlib

MAX_HEADER = 100 * 1024 * 1024
# dtype -> (element size in bytes, struct format code or None when struct cannot decode it)
DTYPES = {
    "BOOL": (1, "?"), "U8": (1, "B"), "I8": (1, "b"), "F8_E4M3": (1, None), "F8_E5M2": (1, None),
    "U16": (2, "H"), "I16": (2, "h"), "F16": (2, "e"), "BF16": (2, None),
    "U32": (4, "I"), "I32": (4, "i"), "F32": (4, "f"),
    "U64": (8, "Q"), "I64": (8, "q"), "F64": (8, "d"),
}


class FormatError(Exception):
    pass


def is_count(x):
    """A JSON integer >= 0 (json.loads gives bool for true/false, which Python counts as int)."""
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def parse(data):
    """Returns (metadata dict, {name: (dtype, shape, values tuple or None)}); raises FormatError."""
    if len(data) < 8:
        raise FormatError(f"file is {len(data)} bytes, shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER:
        raise FormatError(f"header length {n} exceeds {MAX_HEADER}")
    if 8 + n > len(data):
        raise FormatError(f"header length {n} exceeds the file ({len(data)} bytes)")
    raw = data[8:8 + n]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise FormatError(f"header is not UTF-8: {e}")
    if not text.startswith("{"):
        raise FormatError("header does not start with '{'")
    try:
        header = json.loads(text)
    except json.JSONDecodeError as e:
        raise FormatError(f"header is not JSON: {e}")
    if not isinstance(header, dict):
        raise FormatError("header is not a JSON object")

    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise FormatError("__metadata__ is not a map of strings to strings")

    data_start = 8 + n
    section = data[data_start:]
    entries = []
    for name, info in header.items():
        if not isinstance(info, dict) or not {"dtype", "shape", "data_offsets"} <= set(info):
            raise FormatError(f"{name}: entry lacks dtype/shape/data_offsets")
        dtype, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in DTYPES:
            raise FormatError(f"{name}: unknown dtype {dtype!r}")
        if not isinstance(shape, list) or not all(is_count(d) for d in shape):
            raise FormatError(f"{name}: bad shape {shape!r}")
        if not isinstance(offsets, list) or len(offsets) != 2 or not all(is_count(o) for o in offsets):
            raise FormatError(f"{name}: bad data_offsets {offsets!r}")
        begin, end = offsets
        size, code = DTYPES[dtype]
        count = math.prod(shape)
        if begin > end or end - begin != count * size:
            raise FormatError(f"{name}: {dtype} {shape} needs {count * size} bytes, offsets give [{begin}, {end}]")
        entries.append((begin, end, name, dtype, shape, count, code))

    covered = 0
    for begin, end, name, *_ in sorted(entries):
        if begin != covered:
            raise FormatError(f"{name}: starts at {begin}, expected {covered} (overlap or gap)")
        covered = end
    if covered != len(section):
        raise FormatError(f"tensors cover {covered} of the {len(section)} data bytes")
    if "tapegrad.checksum" in metadata:
        recorded = metadata["tapegrad.checksum"]
        if not re.fullmatch(r"crc32:[0-9a-f]{8}", recorded):
            raise FormatError(f"tapegrad.checksum {recorded!r} is not crc32: and 8 hex digits")
        actual = f"crc32:{zlib.crc32(section):08x}"
        if recorded != actual:
            raise FormatError(f"tapegrad.checksum is {recorded} but the data section's CRC-32 is {actual}")

    if data_start % 8 != 0:
        raise FormatError(f"data section starts at {data_start}, not a multiple of 8")
    tensors = {}
    for begin, end, name, dtype, shape, count, code in entries:
        if begin % DTYPES[dtype][0] != 0:
            raise FormatError(f"{name}: offset {begin} is not aligned to its element size")
        values = struct.unpack(f"<{count}{code}", section[begin:end]) if code else None
        tensors[name] = (dtype, shape, values)
    return metadata, tensors


def expect_sample(metadata, tensors):
    """The contents tests/nn/checkpoint_sample.cpp writes (derived there by hand; repeated here independently)."""
    def near(got, want):
        return len(got) == len(want) and all(abs(g - w) <= 1e-6 * max(1.0, abs(w)) for g, w in zip(got, want))

    problems = []

    def check(cond, what):
        if not cond:
            problems.append(what)

    g_w, g_b = [1.0] * 6, [2.0, -2.0, 0.5]
    want = {
        "encoder.W": ("F32", [2, 3], [k / 4 - 0.5 for k in range(6)]),
        "bias": ("F32", [3], [1.0, 2.0, 3.0]),
        "optim.exp_avg.encoder.W": ("F32", [2, 3], [0.1 * g for g in g_w]),
        "optim.exp_avg.bias": ("F32", [3], [0.1 * g for g in g_b]),
        "optim.exp_avg_sq.encoder.W": ("F32", [2, 3], [0.001 * g * g for g in g_w]),
        "optim.exp_avg_sq.bias": ("F32", [3], [0.001 * g * g for g in g_b]),
    }
    check(sorted(tensors) == sorted(list(want) + ["rng.state"]), f"tensor names {sorted(tensors)}")
    for name, (dtype, shape, values) in want.items():
        if name in tensors:
            got = tensors[name]
            check(got[0] == dtype and got[1] == shape and near(got[2], values), f"{name} = {got}, want {values}")
    check(tensors.get("rng.state") == ("U64", [4], (1, 2, 3, 4)), f"rng.state = {tensors.get('rng.state')}")
    check(metadata.get("epoch") == "3", "metadata epoch")
    check(metadata.get("vocab") == "the cat sat naïve", "metadata vocab")
    check(metadata.get("tapegrad.format") == "1", "metadata tapegrad.format")
    check(metadata.get("tapegrad.optim.kind") == "adam", "metadata tapegrad.optim.kind")
    check(metadata.get("tapegrad.optim.step") == "1", "metadata tapegrad.optim.step")
    check(re.fullmatch(r"crc32:[0-9a-f]{8}", metadata.get("tapegrad.checksum", "")) is not None,
          "metadata tapegrad.checksum (parse() verified its value against the data)")
    return problems


def build(header, data=b"", n=None):
    h = json.dumps(header).encode() if not isinstance(header, bytes) else header
    h += b" " * (-(8 + len(h)) % 8)
    return struct.pack("<Q", len(h) if n is None else n) + h + data


def self_test():
    """The checker must accept a good file and reject each malformed one (else it proves nothing)."""
    f32 = struct.pack("<2f", 1.0, 2.0)
    good = {"__metadata__": {"k": "v"}, "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
    parse(build(good, f32))
    parse(build({**good, "__metadata__": {"tapegrad.checksum": f"crc32:{zlib.crc32(f32):08x}"}}, f32))
    bad = {
        "truncated": build(good, f32)[:-1],
        "short": b"\x01\x02",
        "oversized header length": build(good, f32, n=1 << 40),
        "header not JSON": build(b"{not json}", f32),
        "not an object": build(b"[1]", b""),
        "metadata not strings": build({"__metadata__": {"k": 1}}),
        "unknown dtype": build({"a": {"dtype": "F33", "shape": [2], "data_offsets": [0, 8]}}, f32),
        "negative shape": build({"a": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}, f32),
        "size mismatch": build({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, f32),
        "overlap": build({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                          "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, f32),
        "gap": build({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, f32),
        "trailing bytes": build(good, f32 + b"xx"),
        "wrong checksum": build({**good, "__metadata__": {"tapegrad.checksum": f"crc32:{zlib.crc32(f32) ^ 1:08x}"}},
                                f32),
        "malformed checksum": build({**good, "__metadata__": {"tapegrad.checksum": "crc32:XYZ"}}, f32),
    }
    for what, data in bad.items():
        try:
            parse(data)
        except FormatError:
            continue
        print(f"self-test: the checker accepted a malformed file ({what})")
        return 1
    print(f"self-test: 2 good files accepted, {len(bad)} malformed files rejected")
    return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    sample = len(argv) == 3 and argv[1] == "--expect-sample"
    if not (len(argv) == 2 or sample):
        print(__doc__)
        return 2
    path = argv[-1]
    with open(path, "rb") as f:
        data = f.read()
    try:
        metadata, tensors = parse(data)
    except FormatError as e:
        print(f"{path}: not a valid safetensors file: {e}")
        return 1
    for k, v in sorted(metadata.items()):
        print(f"metadata {k} = {v[:60]!r}")
    for name, (dtype, shape, values) in sorted(tensors.items()):
        print(f"tensor {name}: {dtype} {shape} {list(values[:4]) if values else ''}")
    if sample:
        problems = expect_sample(metadata, tensors)
        for p in problems:
            print(f"{path}: unexpected contents: {p}")
        if problems:
            return 1
    print(f"{path}: OK ({len(tensors)} tensors)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
