"""Reading and writing safetensors files by hand (struct + json + numpy), the way tapegrad does (nn/safetensors.hpp).

    bytes [0, 8)       N, the header length, unsigned 64-bit little-endian
    bytes [8, 8 + N)   a JSON object: {"__metadata__": {str: str}, "<name>": {"dtype", "shape", "data_offsets"}, ...}
    bytes [8 + N, end) the data section; tensor bytes at [begin, end) relative to its start, row-major, little-endian

tapegrad records the CRC-32 of the whole data section in the metadata as "tapegrad.checksum" = "crc32:<8 hex digits>"
(zlib's CRC-32, which Python's zlib.crc32 computes too); read() checks it when present, write() adds it.
"""
import json
import os
import struct
import tempfile
import zlib

import numpy as np

CHECKSUM_KEY = "tapegrad.checksum"
FORMAT_KEY = "tapegrad.format"

# safetensors dtype names → numpy little-endian types (the ones a tapegrad checkpoint holds, and a few more)
_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "U64": "<u8", "I64": "<i8", "U32": "<u4", "I32": "<i4",
           "U16": "<u2", "I16": "<i2", "U8": "u1", "I8": "i1", "BOOL": "?"}

_NAMES = {np.dtype(v): k for k, v in _DTYPES.items()}  # numpy type → safetensors name, for writing


class FormatError(ValueError):
    """A file that is not a well-formed (tapegrad) safetensors file; the message names the file."""


def checksum(data: bytes) -> str:
    return "crc32:%08x" % (zlib.crc32(data) & 0xFFFFFFFF)


def read(path):
    """Returns (tensors, metadata): {name: numpy array (a copy)}, {key: str}. Checks the layout and the checksum."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise FormatError(f"{path}: too short for a safetensors file ({len(raw)} bytes)")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > len(raw) - 8:
        raise FormatError(f"{path}: header length {n} exceeds the file ({len(raw)} bytes)")
    try:
        header = json.loads(raw[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise FormatError(f"{path}: the header is not JSON: {e}") from None
    metadata = header.pop("__metadata__", {}) or {}
    data = raw[8 + n:]
    if CHECKSUM_KEY in metadata and metadata[CHECKSUM_KEY] != checksum(data):
        raise FormatError(f"{path}: data corrupted: checksum mismatch (recorded {metadata[CHECKSUM_KEY]}, "
                          f"data has {checksum(data)})")
    tensors = {}
    for name, info in header.items():
        dtype = _DTYPES.get(info["dtype"])
        if dtype is None:
            raise FormatError(f"{path}: tensor '{name}' has dtype {info['dtype']}, which this reader does not know")
        begin, end = info["data_offsets"]
        shape = tuple(int(d) for d in info["shape"])
        if not 0 <= begin <= end <= len(data) or end - begin != int(np.prod(shape)) * np.dtype(dtype).itemsize:
            raise FormatError(f"{path}: tensor '{name}' has offsets [{begin}, {end}) that do not fit its shape "
                              f"{list(shape)} or the data section ({len(data)} bytes)")
        tensors[name] = np.frombuffer(data, dtype=dtype, count=int(np.prod(shape)), offset=begin).reshape(shape).copy()
    return tensors, dict(metadata)


def write(path, tensors, metadata):
    """Writes {name: numpy array} with {key: str} metadata, plus tapegrad's format and checksum keys, atomically.

    Tensors are laid out by decreasing element size, and the header is padded with spaces so that the data section
    starts at a multiple of 8 (as tapegrad's and the reference writer do)."""
    meta = {str(k): str(v) for k, v in metadata.items() if k != CHECKSUM_KEY}
    meta.setdefault(FORMAT_KEY, "1")
    arrays = {name: np.ascontiguousarray(a) for name, a in tensors.items()}
    order = sorted(arrays, key=lambda name: -arrays[name].dtype.itemsize)
    header, chunks, offset = {}, [], 0
    for name in order:
        a = arrays[name]
        le = a.astype(a.dtype.newbyteorder("<"), copy=False)
        dtype = _NAMES.get(le.dtype)
        if dtype is None:
            raise ValueError(f"write: tensor '{name}' has numpy dtype {a.dtype}, which this writer does not handle")
        b = le.tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    data = b"".join(chunks)
    meta[CHECKSUM_KEY] = checksum(data)
    text = json.dumps({"__metadata__": meta, **header}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".safetensors")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(text)))
            f.write(text)
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
