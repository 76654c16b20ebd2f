"""Dataclasses to JSON-able values and back, for the store and for `--json` output."""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


_PLAIN = frozenset({str, int, float, bool, type(None)})


@cache
def _field_names(cls: type) -> tuple[str, ...] | None:
    if dataclasses.is_dataclass(cls):
        return tuple(f.name for f in dataclasses.fields(cls))
    return None


def to_data(obj: Any) -> Any:
    """A dataclass (or a structure of them) as plain dicts, lists and scalars; a field
    marked `omit_none` is left out when None."""
    cls = type(obj)
    if cls in _PLAIN:  # exact types: a StrEnum is a str but must become its value
        return obj
    names = _field_names(cls)  # type: ignore[arg-type]  # mypy: a class is Hashable
    # Plain values are taken as they are without a call: most fields are strings and numbers.
    if names is not None:
        out = {}
        for name in names:
            value = getattr(obj, name)
            out[name] = value if type(value) in _PLAIN else to_data(value)
        for name in _omitted_when_none(cls):  # type: ignore[arg-type]
            if out[name] is None:
                del out[name]
        return out
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, Mapping):
        return {str(k): v if type(v) in _PLAIN else to_data(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [v if type(v) in _PLAIN else to_data(v) for v in obj]
    return obj


@cache
def _omitted_when_none(cls: type) -> tuple[str, ...]:
    """The fields a record's data leaves out when they are None (`metadata={"omit_none":
    True}`): a field added later, which most records lack, so the stored rows of the others
    stay as they were (`Link.href`). `from_data` gives it its default back."""
    return tuple(f.name for f in dataclasses.fields(cls)
                 if f.metadata.get("omit_none"))


@cache
def _fields_of(cls: type) -> Callable[[Any], dict[str, Any]] | None:
    """A function giving a dataclass's fields as a dict, in field order, written for the class
    as `dataclasses` writes `__init__`: a dict display of attribute loads, where a loop of
    `getattr` calls cost a third more of the entries' JSON in every reader worker (issue 14).
    A dataclass's field names are identifiers, so the source holds nothing but them."""
    names = _field_names(cls)
    if names is None:
        return None
    source = "lambda obj: {" + ", ".join(f"{name!r}: obj.{name}" for name in names) + "}"
    made: Callable[[Any], dict[str, Any]] = eval(source, {})
    return made


def record_fields(obj: Any) -> Any:
    """A dataclass's fields as a dict (its `omit_none` fields left out when None), an
    enum's value, a set's items: what JSON's encoder asks for a value it cannot write."""
    cls = type(obj)
    fields_of = _fields_of(cls)  # type: ignore[arg-type]  # a class is Hashable
    if fields_of is not None:
        fields = fields_of(obj)
        for name in _omitted_when_none(cls):  # type: ignore[arg-type]
            if fields[name] is None:
                del fields[name]
        return fields
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, set | frozenset):
        return list(obj)
    raise TypeError(f"{type(obj).__name__} is not a dataclass")


def dumps_records(obj: Any) -> str:
    """`json.dumps(to_data(obj))`, without the plain copy: JSON's C encoder walks the tuples,
    strings and numbers, and asks only for each dataclass's fields (issue 14: the entries and
    marks of every ingested note).

    Only for structures without mappings of their own (entries, links, spans): JSON writes a
    mapping's non-string keys its own way (`true`, where `to_data` gives "True").
    """
    return "".join(_RECORDS(obj, 0))


def records_encoder(default: Callable[[Any], Any]) -> Callable[[Any, int], Any]:
    """JSON's C encoder with `json.dumps`'s separators and escaping, asking `default` for each
    value it cannot write; call it as `"".join(encoder(obj, 0))`. No circular-reference check
    (`markers` None): records are trees of frozen dataclasses and tuples, and a shared
    `markers` dict would keep stale ids after an error. Where there is no C encoder, the
    ordinary one."""
    if getattr(json.encoder, "c_make_encoder", None) is not None:
        return json.encoder.c_make_encoder(  # type: ignore[attr-defined,no-any-return]
            None, default, json.encoder.encode_basestring_ascii, None, ": ", ", ",
            False, False, True)
    return lambda obj, _level: json.JSONEncoder(default=default).iterencode(obj)


# Built once: `JSONEncoder.encode` builds an encoder (and its Python closures) on every call,
# a fifth of `dumps_records`' time for the small records of a note (issue 14).
_RECORDS = records_encoder(record_fields)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_data(cls: type[T], data: Any) -> T:
    """Rebuild a dataclass of type `cls` from `to_data` output."""
    return typing.cast(T, _convert(cls, data))


def _convert(tp: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _convert(args[0], data) if len(args) == 1 else data
    if origin is tuple:
        (item, *_) = typing.get_args(tp)
        return tuple(_convert(item, v) for v in data)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        return tp(**{k: _convert(hints[k], v) for k, v in data.items() if k in hints})
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(data)
    return data
