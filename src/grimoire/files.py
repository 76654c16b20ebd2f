"""Reading a file without trusting it: regular files only, never past a size cap.

Ingest, citation checks and the MCP server read files that someone else may have swapped for a
FIFO, a device or something huge. These functions open without blocking, check what was opened,
and refuse with a `ReadError` that names the file. Kept outside `grimoire.readers`: answering
a question reads files but parses none.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from grimoire.errors import ReadError

MAX_BYTES = 32 * 1024 * 1024  # the default cap (`ReadOptions.max_bytes`)


class TooLargeError(ReadError):
    """A file over the size cap (`read_capped`)."""


# The file that marks a folder `grimoire export site` wrote: never read back as notes.
EXPORT_MARKER = ".grimoire-export"


def note_text(data: bytes, path: str) -> str:
    """A note's bytes as text the way `ingest` decoded them (`readers.base.decode`: UTF-16/32
    by their BOM, UTF-8, UTF-16 without a BOM, Windows-1252, Shift-JIS or EUC-JP), LF line
    ends: what a face shows of a file agrees with what was read from it. The source view and
    MCP's `read_source` decoded every file as UTF-8, so a Latin-1 note read "Caf\ufffd" and a
    UTF-16 one a NUL between every letter (round 34). A file that is binary now, or whose
    encoding cannot be told, is shown as UTF-8 with replacements."""
    from grimoire.readers.base import decode  # the readers import this module

    try:
        return decode(data, path)
    except ReadError:
        text = data.decode("utf-8-sig", errors="replace")
        return text.replace("\r\n", "\n").replace("\r", "\n")


def read_capped(path: str | os.PathLike[str], max_bytes: int, *, follow: bool = True,
                inside: str | None = None) -> bytes:
    """The bytes of a regular file, refusing FIFOs, devices and anything over `max_bytes`,
    and, with `inside` (a real folder, `root_folder`), a file that turns out to lie outside it.

    Opened without blocking and checked after opening, so a file swapped for a FIFO or
    `/dev/zero` between listing and reading can neither hang nor flood the process. Read
    with `os.read` on the descriptor: a buffered file object costs three more system calls
    (two `fstat`, an `ioctl`, a `lseek`) and half the time of reading a small note (issue 14).
    """
    name = os.fspath(path)
    fd, info = _open_regular_fd(name, follow, inside)
    try:
        size = info.st_size
        if size > max_bytes:
            raise TooLargeError(size_message(size, max_bytes), name)
        # The size and one byte more, not the cap: a buffer of the cap would be 32 MiB for
        # every note (a reader worker's memory budget may be less). Read to the end of the
        # file, or to one byte over the cap when it grows meanwhile.
        pieces: list[bytes] = []
        total, want = 0, size + 1
        while want > 0 and (block := os.read(fd, want)):
            pieces.append(block)
            total += len(block)
            want = min(1 << 20, max_bytes + 1 - total) if total > size else size + 1 - total
    finally:
        os.close(fd)
    data = b"".join(pieces)  # the one piece itself, uncopied, for a file read whole
    if len(data) > max_bytes:  # grew while being read
        raise TooLargeError(size_message(len(data), max_bytes), name)
    return data


def open_regular(path: str | os.PathLike[str], *, follow: bool = True,
                 inside: str | None = None) -> BinaryIO:
    """A regular file opened for reading; FIFOs and devices are refused without blocking, and
    with `follow=False` a symlink (a file swapped for one after the walk saw a file); with
    `inside`, a file that turns out to lie outside that real folder."""
    fd, _ = _open_regular_fd(os.fspath(path), follow, inside)
    try:
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _open_regular_fd(name: str, follow: bool = True,
                     inside: str | None = None) -> tuple[int, os.stat_result]:
    """`open_regular`'s descriptor, and its `fstat`.

    `O_NOFOLLOW` guards the last name only: a folder on the path swapped for a symlink out of
    the ingested folder after the walk listed it (notes/sub -> ~/.ssh) is still followed. So
    with `inside`, what was opened is asked where it is (the kernel's name of the open file,
    not the path given, so no later swap can fool it) and refused when outside that folder.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(name, flags if follow else flags | os.O_NOFOLLOW)
    except OSError as e:
        if not follow and e.errno == errno.ELOOP:
            raise ReadError("became a symlink after the folder was listed; not followed",
                            name) from e
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ReadError(f"not a regular file ({_kind(info.st_mode)}); not read", name)
        if inside is not None and not _within(_opened_path(fd, name), inside):
            raise ReadError("lies outside its folder now (a folder on its path became a "
                            "symlink after it was listed); not read", name)
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def _opened_path(fd: int, name: str) -> str:
    """The real path of the file open as `fd`: Linux names it in /proc; elsewhere the path
    `name` resolved now (which a swap could still race)."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")  # noqa: PTH115 - a descriptor, no Path
    except OSError:
        return os.path.realpath(name)


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def root_folder(root: str | None) -> str | None:
    """The real folder a stored `root` stands for (a file's own folder when it is a file);
    None when it cannot be resolved. What `read_capped(inside=...)` checks against."""
    if not root:
        return None
    try:
        top = Path(path_of(root)).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return str(top if top.is_dir() else top.parent)


def real_inside(path: str, root: str | None) -> Path | None:
    """The real file behind `path` (symlinks resolved) when it lies inside `root`, the folder
    or file it was ingested from; None otherwise, or when either cannot be resolved.

    A note the store read may since have become a symlink to ~/.ssh/id_rsa: whatever shows a
    stored file's text (the web UI, MCP's read_source) checks it again here, as ingest does.
    """
    if not root:
        return None
    try:
        real = Path(path_of(path)).resolve(strict=True)
        top = Path(path_of(root)).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    inside = real == top or real.is_relative_to(top if top.is_dir() else top.parent)
    return real if inside else None


def storable(path: str) -> str:
    """`path` as text that SQLite (UTF-8) can hold; names that are not UTF-8 get `\\xNN`.

    Linux file names are bytes; Python hands undecodable ones over as lone surrogates, which
    no UTF-8 encoder accepts. The escaped name is faithful (every byte is visible) and stable,
    so a rerun matches the same record.
    """
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate that stands for no byte (U+D800-U+DC7F, U+DD00-U+DFFF: a Windows
        # name, a Python caller's text) has no bytes to show: U+FFFD (a UnicodeEncodeError
        # from `os.fsencode` before, round 41).
        path = _NOT_A_BYTE.sub("\ufffd", path)
        return os.fsencode(path).decode("utf-8", errors="backslashreplace")
    return path


# The lone surrogates Python's file-system decoding never makes (it hands byte 0x80-0xff over
# as U+DC80-U+DCFF).
_NOT_A_BYTE = re.compile("[\ud800-\udc7f\udd00-\udfff]")


_ESCAPED_BYTE = re.compile(r"\\x([89a-f][0-9a-f])")  # what `storable` escapes: 0x80-0xff


def path_of(key: str) -> str:
    """The file a stored name (`storable`) stands for: the name itself, or, when no such file
    exists and the name holds `\\xNN` escapes, the name with those bytes put back."""
    if "\\x" not in key or os.path.lexists(key):
        return key
    raw = _ESCAPED_BYTE.sub(lambda m: chr(0xDC00 + int(m.group(1), 16)), key)  # as os.fsdecode
    return raw if os.path.lexists(raw) else key


def walk_folder(
    top: str | os.PathLike[str], onerror: Callable[[OSError], None] | None = None
) -> Iterator[tuple[str, list[str], list[str]]]:
    """`os.walk(top)` top-down, without following symlinked folders, without recursion.

    Python 3.11's `os.walk` recurses once a level: a folder nested past the recursion limit
    (1000 levels fit in Linux's 4096-byte paths) raised RecursionError and stopped the ingest.
    As there, a caller prunes by editing the folder names in place, and a folder that cannot be
    listed is passed over, after `onerror` is called with the error (its `filename` the folder);
    one that is gone by then (a rename, a deletion) is passed over without a call.
    """
    stack = [os.fspath(top)]
    while stack:
        folder = stack.pop()
        dirs: list[str] = []
        files: list[str] = []
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    (dirs if is_dir else files).append(entry.name)
        except (FileNotFoundError, NotADirectoryError):
            continue  # gone since its parent was listed (deleted, renamed): not an error
        except OSError as e:
            if onerror is not None:
                onerror(e)
            continue
        yield folder, dirs, files
        for name in reversed(dirs):
            path = os.path.join(folder, name)  # noqa: PTH118 - names as text, as os.walk
            if not os.path.islink(path):  # noqa: PTH114
                stack.append(path)


def grimoire_running(pid: int) -> bool:
    """Whether process `pid` lives and is Grimoire: a file named by the PID of a process that
    is gone was left by a killed run (a PID is reused: after a reboot it may name any
    program). Where /proc cannot tell, a living process counts as Grimoire."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    except (OverflowError, OSError):
        return False
    try:
        return b"grimoire" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True


def size_message(size: int, limit: int) -> str:
    """"file is 40.0 MiB, over the 32 MiB limit", in the binary units the limit is set in."""
    return f"file is {size / 2**20:.1f} MiB, over the {limit / 2**20:g} MiB limit"


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISDIR, "a folder"))
    return next((name for test, name in kinds if test(mode)), "not a plain file")
