"""Attacks on the grader, one per entry: what a hostile submission tries, and
what it must get.

Each attack is code put before one solution cell of a base notebook:

* ``base="stubs"``: the release as handed out (every method still raises
  NotImplementedError), so the honest score is 0 and a forging attack must
  score exactly 0;
* ``base="reference"``: the reference solution, honest score 100.

``outcome`` says what the grade must be: ``"honest"`` exactly the base's
honest score (forging gains nothing, a harmless trick costs nothing);
``"at_most"`` at most the honest score, for attacks that break their own code
(a bomb, an exit) and only have to end within the limits.
``replace`` (old, new) edits the cell instead of, or besides, the prefix.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Attack:
    name: str
    what: str
    base: str
    cell: str
    code: str = ""
    replace: tuple[str, str] | None = None
    outcome: str = "honest"


FIND_CHANNEL = '''
import os as _os, struct as _struct, json as _json
def _frames(payload, count=200):
    data = _json.dumps(payload).encode()
    return b"".join(_struct.pack(">I", len(data) + 16) + b"%016x" % n + data for n in range(count))
def _answer_fds():
    fds = []
    for _name in _os.listdir("/proc/self/fd"):
        try:
            if "pipe" in _os.readlink("/proc/self/fd/" + _name) and int(_name) > 2:
                fds.append(int(_name))
        except OSError:
            pass
    return fds
'''

LIAR = '''
class _Liar:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __gt__(self, other): return True
    def __ge__(self, other): return True
    def __len__(self): return 1
    def __index__(self): return 0
    def __int__(self): return 0
    def __float__(self): return 0.0
    def __bool__(self): return True
    def __iter__(self): return iter([_Liar()])
    def __getitem__(self, key): return _Liar()
    def __call__(self, *args, **kwargs): return _Liar()
    def __getattr__(self, name): return _Liar()
    def __hash__(self): return 0
'''

STUB_RAISE = "raise NotImplementedError()"

# Probes run beside the submission, whose code can read them and replace the
# probe runner: answers worked out by hand for the inputs a student's own run
# uses must earn nothing, because the grader draws other inputs per submission.
CANNED_DATASET_ANSWERS = '''
import sys as _sys
_codec = _sys.modules.get("grading_suite.public.probes.codec")
_observe = _sys.modules.get("grading_suite.public.observe")
_TYPE_ERROR = {"raised": {"type": "TypeError", "builtin": ["TypeError", "Exception", "BaseException", "object"],
                          "message": "abstract", "where": ""}}
def _canned(student, name, arguments, seed):
    answers = {
        "dataset.samples_iterated": [0, 1, 4, 9, 16, 25],
        "dataset.abstract_instances": {"base": _TYPE_ERROR, "only_length": _TYPE_ERROR, "complete_first": {"returned": 0}},
        "dataset.lazy_steps": {"first": 0, "after_first": [0], "count_after_first": 1, "after_second": [0, 1]},
    }
    if name not in answers:
        raise NotImplementedError()
    return {"value": _codec.to_wire(answers[name])}
if _observe is not None:
    _observe.run_probe = _canned
'''


ATTACKS = [
    Attack("frames_written_ahead", "write ready-made answer frames into every pipe before any request",
           "stubs", "dataset", FIND_CHANNEL + '''
for _fd in _answer_fds():
    for _value in (True, [0, 1, 4, 9, 16, 25], [], 0, {"d": []}):
        try:
            _os.write(_fd, _frames({"value": _value}, 20))
        except OSError:
            pass
'''),
    Attack("garbage_into_the_channel", "write malformed frames (huge lengths, bad JSON) into every pipe",
           "stubs", "dataset", FIND_CHANNEL + '''
for _fd in _answer_fds():
    for _blob in (b"\\xff" * 64, _struct.pack(">I", 2**31) + b"{", _struct.pack(">I", 5) + b"{{{{{"):
        try:
            _os.write(_fd, _blob)
        except OSError:
            pass
'''),
    Attack("run_probe_patched", "replace the probe runner so that every probe answers True",
           "stubs", "dataset", '''
import sys as _sys
for _module in list(_sys.modules.values()):
    if hasattr(_module, "run_probe"):
        _module.run_probe = lambda *args, **kwargs: {"value": True}
'''),
    Attack("writer_patched", "replace the child's frame writer to answer every request with a canned value",
           "stubs", "dataset", '''
import sys as _sys, json as _json, os as _os, struct as _struct
for _name in ("__main__", "grader.grading.child"):
    _module = _sys.modules.get(_name)
    if _module is not None and hasattr(_module, "write_frame"):
        _original = _module.write_frame
        def _forged(fd, payload, _original=_original):
            nonce = payload[:16] if payload[:1] != b"{" else b""
            return _original(fd, nonce + _json.dumps({"value": [0, 1, 4, 9, 16, 25]}).encode())
        _module.write_frame = _forged
'''),
    Attack("gc_rewrites_probe_helpers", "find the probe helpers through gc and swap their code",
           "stubs", "dataset", '''
import gc as _gc
def _canned(*args, **kwargs):
    return {"kind": "Tensor", "type": "Tensor", "dtype": "float32", "shape": [1], "data": None}
for _object in _gc.get_objects():
    if callable(_object) and getattr(_object, "__name__", "") in (
            "describe", "plain", "attempt", "to_wire", "exception_info", "text", "run_probe"):
        try:
            _object.__code__ = _canned.__code__
        except (AttributeError, TypeError, ValueError):
            pass
'''),
    Attack("pytest_patched", "make every pytest test pass and every failure vanish",
           "stubs", "dataset", '''
try:
    import _pytest.python, _pytest.outcomes, pytest
    _pytest.python.Function.runtest = lambda self: None
    pytest.fail = lambda *args, **kwargs: None
    _pytest.outcomes.fail = lambda *args, **kwargs: None
except ImportError:
    pass
'''),
    Attack("builtins_patched", "make isinstance, len and AssertionError lie",
           "stubs", "dataset", '''
import builtins as _builtins
_builtins.isinstance = lambda *args: True
_builtins.AssertionError = type("AssertionError", (Exception,), {})
_builtins.len = lambda value: 0
'''),
    Attack("numpy_patched", "make NumPy comparisons always agree",
           "stubs", "dataset", '''
import numpy as _np
_np.array_equal = lambda *args, **kwargs: True
_np.allclose = lambda *args, **kwargs: True
_np.testing.assert_array_equal = lambda *args, **kwargs: None
'''),
    Attack("checks_patched", "import the judgement helpers and make expect() a no-op",
           "stubs", "dataset", '''
try:
    import grading_suite.public.checks as _checks
    _checks.expect = lambda *args, **kwargs: None
except Exception:
    pass
'''),
    Attack("reference_imported", "import the reference solution and re-export its classes",
           "stubs", "dataset", '''
try:
    from tinytorch.core.dataloader import (Dataset, TensorDataset, DataLoader, RandomHorizontalFlip,
                                           RandomCrop, Compose)
    _FOUND = True
except Exception:
    _FOUND = False
'''),
    Attack("reference_exec_from_disk", "search readable files for the reference solution and exec it",
           "stubs", "dataset", '''
import os as _os
_found = []
for _top in ("/work", "/root", "/home", "/srv", "/opt", "/tmp", "/scratch"):
    for _folder, _dirs, _files in _os.walk(_top):
        for _file in _files:
            if _file.endswith((".py", ".ipynb", ".pyc")):
                try:
                    _text = open(_os.path.join(_folder, _file), "rb").read(400_000)
                except OSError:
                    continue
                if b"def _epoch_order" in _text or b"BEGIN SOLUTION" in _text:
                    _found.append(_os.path.join(_folder, _file))
for _path in _found:
    if _path.endswith(".py"):
        try:
            exec(open(_path).read(), globals())
        except Exception:
            pass
'''),
    Attack("source_notebook_read", "read the instructor's source notebook and show it in a message",
           "stubs", "dataset", '''
import glob as _glob
_texts = []
for _path in _glob.glob("/work/**/source/**/*.ipynb", recursive=True) + ["/work/main/source/05_dataloader/dataloader.ipynb"]:
    try:
        _texts.append(open(_path).read())
    except OSError as _error:
        _texts.append(type(_error).__name__)
raise RuntimeError(" | ".join(_texts)[:5000])
'''),
    Attack("suite_exfiltrated_base64", "read every grading file in reach, zlib+base64 it, raise it chunk by chunk",
           "stubs", "dataloader", '''
import base64 as _b64, os as _os, zlib as _zlib
_blob = b""
for _top in ("/work", "/root", "/scratch", "/tmp"):
    for _folder, _dirs, _files in _os.walk(_top):
        for _file in _files:
            if _file.endswith((".py", ".ipynb")):
                try:
                    _blob += open(_os.path.join(_folder, _file), "rb").read()
                except OSError:
                    pass
_CHUNKS = _b64.b64encode(_zlib.compress(_blob)).decode()
_COUNTER = [0]
def _next_chunk():
    _COUNTER[0] += 1
    return "EXFIL%03d:" % _COUNTER[0] + _CHUNKS[(_COUNTER[0] - 1) * 100:_COUNTER[0] * 100]
''', replace=(STUB_RAISE, "raise RuntimeError(_next_chunk())")),
    Attack("frames_and_locals_leaked", "walk the stack and raise every frame's file, names and locals",
           "stubs", "dataset", replace=(STUB_RAISE, '''import sys
        frame, seen = sys._getframe(), []
        while frame is not None:
            seen.append(f"{frame.f_code.co_filename}:{frame.f_code.co_name}:{sorted(frame.f_locals)[:8]}:"
                        f"{[repr(v)[:80] for v in frame.f_locals.values()][:8]}")
            frame = frame.f_back
        raise RuntimeError(" <- ".join(seen))''')),
    Attack("proc_and_environment_read", "read /proc, the environment and /etc and raise them",
           "stubs", "dataset", '''
import os as _os
_parts = [repr(dict(_os.environ))]
for _path in ("/proc/self/mountinfo", "/proc/1/cmdline", "/proc/self/status", "/etc/passwd"):
    try:
        _parts.append(open(_path).read()[:2000])
    except OSError as _error:
        _parts.append(type(_error).__name__)
raise RuntimeError(" | ".join(_parts))
'''),
    Attack("exit_at_import", "os._exit before any probe can run",
           "stubs", "dataset", "import os\nos._exit(0)\n"),
    Attack("system_exit_everywhere", "every stub raises SystemExit instead of NotImplementedError",
           "stubs", "dataloader", replace=(STUB_RAISE, "raise SystemExit(0)")),
    Attack("parent_killed", "kill the parent process at import",
           "stubs", "dataset", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"),
    Attack("everything_killed", "kill every process it can see at import",
           "stubs", "compose", "import os, signal\ntry:\n    os.kill(-1, signal.SIGKILL)\nexcept OSError:\n    pass\n"),
    Attack("objects_that_equal_everything", "classes whose every result equals anything",
           "stubs", "dataset", LIAR + '''
class _LiarClass(_Liar):
    def __init__(self, *args, **kwargs): pass
Dataset = TensorDataset = DataLoader = RandomHorizontalFlip = RandomCrop = Compose = _LiarClass
''', replace=("class Dataset(ABC):", "class _UnusedDataset(ABC):")),
    Attack("lying_ndarray_subclass", "transforms return an ndarray subclass that equals anything",
           "stubs", "random_horizontal_flip", '''
import numpy as _np
class _LyingArray(_np.ndarray):
    def __eq__(self, other): return _np.ones(_np.shape(other), dtype=bool)
    def __ne__(self, other): return _np.zeros(_np.shape(other), dtype=bool)
    def tobytes(self, *args, **kwargs): return b""
''', replace=(STUB_RAISE, "return _np.asarray(locals().get('image', _np.zeros(1))).view(_LyingArray)")),
    Attack("message_str_hangs", "raise an exception whose __str__ never returns",
           "stubs", "dataset", '''
class _Hang(Exception):
    def __str__(self):
        while True:
            pass
''', replace=(STUB_RAISE, "raise _Hang()")),
    Attack("message_str_raises", "raise an exception whose __str__ raises",
           "stubs", "dataset", '''
class _Broken(Exception):
    def __str__(self):
        raise ValueError("no message for you")
''', replace=(STUB_RAISE, "raise _Broken()")),
    Attack("huge_frame_header", "answer with a frame that claims 2 GB",
           "stubs", "dataset", '''
import sys as _sys, os as _os, struct as _struct
_module = _sys.modules.get("__main__")
if hasattr(_module, "write_frame"):
    _module.write_frame = lambda fd, payload: _os.write(fd, _struct.pack(">I", 2**31 - 1) + payload)
'''),
    Attack("deeply_nested_answer", "answer every request with JSON nested a million levels deep",
           "stubs", "dataset", '''
import sys as _sys
_module = _sys.modules.get("__main__")
if hasattr(_module, "write_frame"):
    _write = _module.write_frame
    _module.write_frame = lambda fd, payload: _write(fd, payload[:16] + b"[" * 1_000_000 + b"]" * 1_000_000)
'''),
    Attack("sigalrm_blocked_loop", "block SIGALRM, then loop forever inside DataLoader.__iter__",
           "reference", "dataloader", replace=("        order = self._epoch_order()\n",
                                               "        import signal\n"
                                               "        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})\n"
                                               "        signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
                                               "        while True:\n            pass\n"),
           outcome="at_most"),
    Attack("loop_at_import", "an infinite loop in a cell's top level",
           "reference", "compose", "while True:\n    pass\n", outcome="at_most"),
    Attack("fork_bomb", "fork until the process limit stops it, at import",
           "reference", "random_crop", '''
import os as _os
_children = 0
try:
    while _children < 10_000:
        if _os.fork() == 0:
            import time
            time.sleep(60)
            _os._exit(0)
        _children += 1
except OSError:
    pass
''', outcome="at_most"),
    Attack("memory_bomb", "allocate 8 GiB while building a dataset",
           "reference", "tensordataset", replace=("        if not tensors:\n",
                                                  "        hoard = bytearray(8 << 30)\n        if not tensors:\n"),
           outcome="at_most"),
    Attack("disk_filled", "fill /tmp and the working directory, then behave",
           "reference", "compose", '''
import os as _os
for _folder in ("/tmp", _os.getcwd(), _os.path.expanduser("~")):
    try:
        with open(_os.path.join(_folder, "filler.bin"), "wb") as _stream:
            for _ in range(2048):
                _stream.write(b"\\0" * (1 << 20))
    except OSError:
        pass
'''),
    Attack("output_flood", "print 100 MB at import and in every call",
           "reference", "compose", "print('x' * 100_000_000)\nimport sys\nsys.stderr.write('y' * 1_000_000)\n"),
    Attack("limits_raised", "try to lift its own resource limits, then allocate 6 GiB",
           "reference", "compose", '''
import resource as _resource
for _limit in (_resource.RLIMIT_AS, _resource.RLIMIT_NPROC, _resource.RLIMIT_CPU):
    try:
        _resource.setrlimit(_limit, (_resource.RLIM_INFINITY, _resource.RLIM_INFINITY))
    except (ValueError, OSError):
        pass
try:
    _hoard = bytearray(6 << 30)
except MemoryError:
    _hoard = None
''', outcome="at_most"),
    Attack("canned_answers_for_known_inputs", "answer the Dataset probes with hand-computed observations for "
           "the inputs a student's own run uses", "stubs", "dataset", CANNED_DATASET_ANSWERS),
]

ATTACKS += [
    Attack("terminal_escapes", "messages with terminal escape codes that erase the line and print a fake score",
           "stubs", "dataset", replace=(STUB_RAISE, 'raise RuntimeError("\\x1b[2K\\r\\x1b[1A100 / 100 \\x07")')),
    Attack("probe_inputs_spied", "a spy runner that answers every probe with its name and arguments",
           "stubs", "dataset", '''
import json as _json, sys as _sys
_observe = _sys.modules.get("grading_suite.public.observe")
if _observe is not None:
    _observe.run_probe = lambda student, name, arguments, seed: {"raised": {"d": [
        ["type", "Spy"], ["message", name + " " + _json.dumps(arguments)], ["where", ""], ["builtin", []]]}}
'''),
]
