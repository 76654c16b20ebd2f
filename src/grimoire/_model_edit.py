"""One exact edit of the MiniLM ONNX graph: the word embeddings looked up before they are scaled.

The packaged model keeps its word-embedding table (30,522 x 384) as int8 with one float scale a
row, turned into float32 by a `Cast` and a `Mul` before the `Gather` that looks the query's
tokens up. A session with constant folding does that once while it is built; a session
without it (`MiniLM.warm(once=True)`, the command line's cold start) does it on every call:
11.7M values cast and multiplied, 90 MB of fresh memory, about 65 ms of CPU of the first
call's 70 (bench/README.md, round 23). Looking the rows up first (`Gather` of the int8 table
and of the scales by the same ids, then `Cast` and `Mul` of those rows only) computes the same
products, value by value: a cast from int8 is exact and each product is one rounding either
way, so the vectors are bitwise the same (tests/test_embed.py checks it).

The model is protobuf; this reads and writes only the fields it needs (ONNX's `ModelProto.graph`,
`GraphProto.node` and `initializer`, `NodeProto` and `TensorProto.dims`), without the onnx
package. Bytes it does not recognise are returned unchanged (`gather_first` gives None).
"""

from __future__ import annotations

from dataclasses import dataclass

# Field numbers of onnx.proto3
_MODEL_GRAPH = 7
_GRAPH_NODE, _GRAPH_INITIALIZER = 1, 5
_NODE_INPUT, _NODE_OUTPUT, _NODE_NAME, _NODE_OP, _NODE_ATTRIBUTE, _NODE_DOMAIN = 1, 2, 3, 4, 5, 7
_DOC_STRING = 6
_TENSOR_DIMS, _TENSOR_DATA_TYPE, _TENSOR_NAME = 1, 2, 8
_INT8, _FLOAT = 3, 1  # TensorProto.DataType
_LEN = 2  # wire type of strings, bytes and messages


def _varint(buf: memoryview, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


@dataclass(frozen=True, slots=True)
class _Field:
    number: int
    wire: int
    value: int | memoryview  # a varint's or fixed field's value; a length-delimited field's
    raw: memoryview  # the whole field as written (key, length and value)


def _fields(buf: memoryview) -> list[_Field]:
    """The fields of one message, as views of `buf` (the model's tensors are not copied)."""
    out: list[_Field] = []
    at = 0
    while at < len(buf):
        start = at
        key, at = _varint(buf, at)
        number, wire = key >> 3, key & 7
        value: int | memoryview
        if wire == 0:
            value, at = _varint(buf, at)
        elif wire == 1:
            value, at = int.from_bytes(buf[at : at + 8], "little"), at + 8
        elif wire == 5:
            value, at = int.from_bytes(buf[at : at + 4], "little"), at + 4
        elif wire == _LEN:
            size, at = _varint(buf, at)
            value, at = buf[at : at + size], at + size
        else:
            raise ValueError(f"unexpected protobuf wire type {wire}")
        if at > len(buf):
            raise ValueError("truncated protobuf field")
        out.append(_Field(number, wire, value, buf[start:at]))
    return out


def _len_field(number: int, value: bytes) -> bytes:
    return _encode_varint(number << 3 | _LEN) + _encode_varint(len(value)) + value


def _message(field: _Field) -> memoryview:
    """A length-delimited field's bytes (a message, a string)."""
    if not isinstance(field.value, memoryview):
        raise ValueError(f"protobuf field {field.number} is not length-delimited")
    return field.value


def _text(field: _Field) -> str:
    return bytes(_message(field)).decode()


@dataclass(frozen=True, slots=True)
class _Node:
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    name: str
    op: str
    domain: str
    attributes: tuple[bytes, ...]  # each AttributeProto field as written

    @classmethod
    def parse(cls, buf: memoryview) -> _Node:
        """The node's fields (a loop of its own: `_fields` for each of the graph's hundreds of
        nodes took 10-20 ms of a cold start)."""
        strings: dict[int, list[str]] = {}
        attributes: list[bytes] = []
        at, end = 0, len(buf)
        while at < end:
            start = at
            key, at = _varint(buf, at)
            number, wire = key >> 3, key & 7
            if wire != _LEN:
                raise ValueError(f"unexpected wire type {wire} in a node")
            size, at = _varint(buf, at)
            if number == _NODE_ATTRIBUTE:
                attributes.append(bytes(buf[start : at + size]))
            elif number != _DOC_STRING:
                strings.setdefault(number, []).append(str(buf[at : at + size], "utf-8"))
            at += size
        if at != end:
            raise ValueError("truncated protobuf node")
        return cls(tuple(strings.get(_NODE_INPUT, ())), tuple(strings.get(_NODE_OUTPUT, ())),
                   "".join(strings.get(_NODE_NAME, ())), "".join(strings.get(_NODE_OP, ())),
                   "".join(strings.get(_NODE_DOMAIN, ())), tuple(attributes))

    def encode(self) -> bytes:
        out = b"".join(_len_field(_NODE_INPUT, i.encode()) for i in self.inputs)
        out += b"".join(_len_field(_NODE_OUTPUT, o.encode()) for o in self.outputs)
        out += _len_field(_NODE_NAME, self.name.encode()) + _len_field(_NODE_OP, self.op.encode())
        out += b"".join(self.attributes)
        if self.domain:
            out += _len_field(_NODE_DOMAIN, self.domain.encode())
        return out


def _initializers(graph: list[_Field]) -> dict[str, tuple[int, tuple[int, ...]]]:
    """Each initializer's name -> (data type, dims)."""
    out: dict[str, tuple[int, tuple[int, ...]]] = {}
    for field in graph:
        if field.number != _GRAPH_INITIALIZER:
            continue
        name, dtype, dims = "", 0, []
        for f in _fields(_message(field)):
            if f.number == _TENSOR_NAME:
                name = _text(f)
            elif f.number == _TENSOR_DATA_TYPE and isinstance(f.value, int):
                dtype = f.value
            elif f.number == _TENSOR_DIMS:
                if isinstance(f.value, int):
                    dims.append(f.value)
                else:  # packed
                    at = 0
                    while at < len(f.value):
                        d, at = _varint(f.value, at)
                        dims.append(d)
        out[name] = (dtype, tuple(dims))
    return out


def gather_first(model: bytes) -> bytes | None:
    """`model` with each `Gather` of a table dequantized by `Cast` (int8 -> float) and `Mul`
    (by one scale a row, or one for all) turned into the `Gather` of the int8 rows and of
    their scales, then `Cast` and `Mul` of those rows. None when there is no such table, or
    the graph is not as expected (then the model is used as it is)."""
    try:
        return _edit(model)
    except (ValueError, IndexError, KeyError, UnicodeDecodeError):
        return None


def _edit(model: bytes) -> bytes | None:
    top = _fields(memoryview(model))
    at = [i for i, f in enumerate(top) if f.number == _MODEL_GRAPH]
    if len(at) != 1:
        return None
    graph = _fields(_message(top[at[0]]))
    tables = _initializers(graph)
    nodes = {i: _Node.parse(_message(f)) for i, f in enumerate(graph)
             if f.number == _GRAPH_NODE}
    axes = {i: _gather_axis(node) for i, node in nodes.items() if node.op == "Gather"}
    consumers: dict[str, list[int]] = {}
    producer: dict[str, int] = {}
    for i, node in nodes.items():
        for name in node.inputs:
            consumers.setdefault(name, []).append(i)
        for name in node.outputs:
            producer[name] = i
    replaced: dict[int, list[_Node]] = {}
    for i, gather in nodes.items():
        if gather.op != "Gather" or gather.domain or len(gather.inputs) != 2:
            continue
        mul_at = producer.get(gather.inputs[0])
        mul = nodes.get(mul_at) if mul_at is not None else None
        if (mul is None or mul_at is None or mul.op != "Mul" or mul.domain
                or len(mul.inputs) != 2 or consumers.get(mul.outputs[0]) != [i]):
            continue
        cast_side = [k for k, name in enumerate(mul.inputs)
                     if name in producer and nodes[producer[name]].op == "Cast"]
        if len(cast_side) != 1:
            continue
        cast_at = producer[mul.inputs[cast_side[0]]]
        cast = nodes[cast_at]
        scale = mul.inputs[1 - cast_side[0]]
        if (cast.domain or len(cast.inputs) != 1 or consumers.get(cast.outputs[0]) != [mul_at]
                or any(a in (cast_at, mul_at) for a in replaced)):
            continue
        table, table_info = cast.inputs[0], tables.get(cast.inputs[0])
        scale_info = tables.get(scale)
        if table_info is None or scale_info is None or table_info[0] != _INT8 \
                or scale_info[0] != _FLOAT or len(table_info[1]) != 2 \
                or axes.get(i) != 0:
            continue
        rows = table_info[1][0]
        if scale_info[1] == (rows, 1):
            per_row = True
        elif all(d == 1 for d in scale_info[1]):
            per_row = False
        else:
            continue
        ids, out = gather.inputs[1], gather.outputs[0]
        rows_q, scales_q, rows_f = (f"{out}/int8_rows", f"{out}/row_scales", f"{out}/float_rows")
        new = [_Node((table, ids), (rows_q,), f"{gather.name}/int8", "Gather", "",
                     gather.attributes)]
        if per_row:
            new.append(_Node((scale, ids), (scales_q,), f"{gather.name}/scales", "Gather", "",
                             gather.attributes))
        else:
            scales_q = scale
        new.append(_Node((rows_q,), (rows_f,), f"{cast.name}/rows", "Cast", "", cast.attributes))
        factors = (rows_f, scales_q) if cast_side[0] == 0 else (scales_q, rows_f)
        new.append(_Node(factors, (out,), f"{mul.name}/rows", "Mul", "", mul.attributes))
        replaced[i] = new
        replaced[cast_at] = []
        replaced[mul_at] = []
    if not any(replaced.values()):
        return None
    # One copy of the model: the graph's fields as they were (views of `model`) but the
    # nodes replaced, under a new length.
    body: list[bytes | memoryview] = []
    for i, f in enumerate(graph):
        if i in replaced:
            body.extend(_len_field(_GRAPH_NODE, n.encode()) for n in replaced[i])
        else:
            body.append(f.raw)
    size = sum(len(piece) for piece in body)
    head = _encode_varint(_MODEL_GRAPH << 3 | _LEN) + _encode_varint(size)
    return b"".join([*(f.raw for f in top[: at[0]]), head, *body,
                     *(f.raw for f in top[at[0] + 1 :])])


def _gather_axis(node: _Node) -> int:
    """The `axis` attribute of a Gather (0 when absent)."""
    for raw in node.attributes:
        attribute = _fields(_message(_fields(memoryview(raw))[0]))
        name = next((_text(f) for f in attribute if f.number == 1), "")
        if name == "axis":
            value = next((f.value for f in attribute if f.number == 3 and f.wire == 0), 0)
            if not isinstance(value, int):
                raise ValueError("a Gather's axis is not an integer")
            return value - (1 << 64) if value >= 1 << 63 else value
    return 0
