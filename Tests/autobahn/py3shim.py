"""Runtime half of modeld's Python 3 port of autobahntestsuite.

`port_to_py3.py` copies this file into the installed package as
`autobahntestsuite/_py3shim.py`; the patched `wstest.py` calls `install()`
before any test case runs.

The suite was written for Python 2, where a payload is a `str` of bytes.
After 2to3 its literals are Python 3 `str`, so the port keeps one rule:
inside the suite a "byte string" is a `str` whose code points are all below
256, the bytes themselves read as latin-1.  Conversions happen only where
payloads cross into and out of the autobahn protocol engine, which works on
real `bytes`:

  outgoing  the send methods of WebSocketProtocol take either form and
            hand bytes to the engine (`wire`);
  incoming  the base test case records messages, pings and pongs as latin-1
            strings (`latin1`); cases that override `onMessage` (9.*, 12.*,
            13.*) keep the engine's bytes, which is what they hash and count;
  verdicts  `Case.compare` compares both sides with bytes folded to latin-1
            strings (`fold`), because some cases build their expectation
            from `bytes` (`chr(i).encode("utf-8")` in 6.*).
"""

import binascii
import functools
import inspect
import pickle


def wire(value):
    """Bytes for the protocol engine from a latin-1 str, bytes, bytearray or
    memoryview; None and other types pass through unchanged."""
    if isinstance(value, str):
        try:
            return value.encode("latin-1")
        except UnicodeEncodeError:
            # A real text string (code points above 255) can only have meant
            # its UTF-8 form on the wire.
            return value.encode("utf-8")
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return value


def latin1(value):
    """The suite's "byte string" (latin-1 str) for bytes-like values; other
    values unchanged."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("latin-1")
    return value


def fold(value):
    """`value` with every bytes-like object inside tuples, lists and dicts
    turned into a latin-1 str, for comparing and for JSON."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return latin1(value)
    if isinstance(value, (list, tuple)):
        return type(value)(fold(v) for v in value)
    if isinstance(value, dict):
        return {fold(k): fold(v) for k, v in value.items()}
    return value


def hexlify(value):
    """Hex digits (str) of a latin-1 str or bytes, like Python 2's
    `binascii.b2a_hex` on a byte string."""
    return binascii.b2a_hex(wire(value)).decode("ascii")


def readable(value):
    """Text for the HTML/JSON reports: a Python 2 byte string (bytes or
    latin-1 str) decoded as UTF-8 with replacement; real text unchanged."""
    if isinstance(value, str):
        try:
            value = value.encode("latin-1")
        except UnicodeEncodeError:
            return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    return value


def bin_log_data(data, maxlen=64):
    """Replacement for fuzzing.binLogData: hex of at most `maxlen` octets."""
    data = wire(data)
    if len(data) > maxlen - 4:
        return hexlify(data[:maxlen]) + " ..."
    return hexlify(data)


def ascii_log_data(data, maxlen=64, replace=False):
    """Replacement for fuzzing.asciiLogData: the payload as UTF-8 text, or
    `0x` and its hex when it is not valid UTF-8 (and `replace` is off)."""
    data = wire(data)
    cut = data[:maxlen] + b" ..." if len(data) > maxlen - 4 else data
    try:
        return cut.decode("utf-8", "replace" if replace else "strict")
    except UnicodeDecodeError:
        return "0x" + bin_log_data(data, maxlen)


# Parameters of WebSocketProtocol's send methods that carry octets.
_SEND_PARAMS = {
    "sendData": ("data",),
    "sendFrame": ("payload", "mask"),
    "sendMessage": ("payload",),
    "sendMessageFrame": ("payload",),
    "sendMessageFrameData": ("payload",),
    "sendPing": ("payload",),
    "sendPong": ("payload",),
    "sendCloseFrame": ("reasonUtf8",),
}


def _octets_in(method, names):
    signature = inspect.signature(method)

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        for name in names:
            if name in bound.arguments:
                bound.arguments[name] = wire(bound.arguments[name])
        return method(*bound.args, **bound.kwargs)

    wrapper._py3shim = True
    return wrapper


def _latin1_in(method):
    @functools.wraps(method)
    def wrapper(self, payload, *rest):
        return method(self, latin1(payload), *rest)

    return wrapper


def _folded_compare(self, left, right):
    # The suite compares pickles, so True and 1 differ; keep that.
    return pickle.dumps(fold(left)) == pickle.dumps(fold(right))


def install():
    """Patch the protocol engine and the test-case base class as described
    in the module docstring.  Idempotent."""
    from autobahn.websocket.protocol import WebSocketProtocol
    from autobahntestsuite import fuzzing
    from autobahntestsuite.case.case import Case

    for name, params in _SEND_PARAMS.items():
        method = getattr(WebSocketProtocol, name)
        if not getattr(method, "_py3shim", False):
            setattr(WebSocketProtocol, name, _octets_in(method, params))

    if getattr(Case, "_py3shim", False):
        return
    Case._py3shim = True
    Case.onMessage = _latin1_in(Case.onMessage)
    Case.onPing = _latin1_in(Case.onPing)
    Case.onPong = _latin1_in(Case.onPong)
    Case.compare = _folded_compare
    fuzzing.binLogData = bin_log_data
    fuzzing.asciiLogData = ascii_log_data
