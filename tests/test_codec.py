"""The wire format between probes and judge: plain data round-trips; anything
else is refused on both sides, and the judge never builds an object the child chose."""

import json

import numpy as np
import pytest

from grading_suite.public.observe import (ProbeNotRun, StudentCodeError, decode_answer, encode_answer, interpret,
                                          run_probe)
from grading_suite.public.probes.codec import MAX_ITEMS, NotPlainData, WireError, decode, encode, to_wire


def test_plain_data_round_trips_with_types_kept():
    value = {"ints": [1, -2, 2**62], "floats": (0.5, float("inf"), float("-inf")), "text": "é«»", "none": None,
             "flags": [True, False], "nested": {"a": ({"b": []},)},
             "arrays": [(np.arange(6) % 3).astype(dtype).reshape(2, 3)
                        for dtype in ("uint8", "int32", "int64", "float32", "float64", "bool")]}
    back = decode(encode(value))
    assert back["ints"] == [1, -2, 2**62] and back["none"] is None and back["flags"] == [True, False]
    assert type(back["floats"]) is tuple and back["floats"][1:] == (float("inf"), float("-inf"))
    assert back["nested"] == {"a": ({"b": []},)} and back["text"] == "é«»"
    for sent, got in zip(value["arrays"], back["arrays"]):
        assert got.dtype == sent.dtype and got.shape == sent.shape and np.array_equal(got, sent)
        assert got.flags.writeable and got.flags.c_contiguous
    assert np.isnan(decode(encode(float("nan"))))


@pytest.mark.parametrize("value", [object(), np.array(["a"]), np.array([object()]), {1: 2}, {"a": set()},
                                   b"bytes"])
def test_probes_cannot_send_other_objects(value):
    with pytest.raises(NotPlainData):
        encode(value)


@pytest.mark.parametrize("data, reason", [
    (b"\xff", "JSON"), (b"NaN", "NaN"), (b'{"x": 1}', "unknown tag"), (b'{"t": [1], "d": []}', "exactly one key"),
    (b'{"a": ["object", [1], "AAAAAAAAAAA="]}', "dtype"), (b'{"a": ["int64", [2], "AAAA"]}', "cannot hold"),
    (b'{"a": ["int64", [-1], ""]}', "shape"), (b'{"a": ["int64", [1], "***"]}', "base64"),
    (b'{"d": [[1, 2]]}', "dict entry"), (b"[" * 100 + b"]" * 100, "deeper"), (b"[" * 100000 + b"]" * 100000, "JSON"),
    (json.dumps([[0] * 1000] * (MAX_ITEMS // 1000 + 1)).encode(), "entries")])
def test_the_judge_refuses_malformed_observations(data, reason):
    with pytest.raises(WireError, match=reason):
        decode(data)


def test_student_strings_are_cut_on_the_judges_side():
    answer = decode_answer(encode_answer({"value": "x" * 1000}))
    assert answer["value"] == "x" * 120 + "…"
    lone = decode_answer(b'{"value": "a\\ud800b"}')["value"]
    assert lone == "a?b" and lone.encode("utf-8")


def test_answers_have_one_of_four_shapes():
    with pytest.raises(WireError):
        decode_answer(b'{"value": 1, "raised": 2}')
    with pytest.raises(ProbeNotRun):
        interpret({"neither": 1})
    with pytest.raises(StudentCodeError, match="not implemented yet"):
        interpret(decode_answer(encode_answer({"raised": {"d": [["type", "NotImplementedError"], ["message", ""]]}})))
    with pytest.raises(StudentCodeError, match=r"`DataLoader` is not defined by your notebook: the cell «c» failed"):
        interpret({"missing": {"name": "DataLoader", "cell": "c", "error": "SyntaxError"}})


def test_an_unknown_probe_is_reported_not_run():
    with pytest.raises(ProbeNotRun, match="no probe"):
        interpret(run_probe(None, "no_such.probe", {}, 0))


def test_a_whole_message_crosses_the_cut_for_checks_but_shows_cut():
    from grading_suite.public.checks import message_of, names_number, whole_message
    from grading_suite.public.probes.support import exception_info

    long = "index out of range: " + "x" * 300 + " asked 41 of 37 samples"
    info = decode_answer(encode_answer({"raised": to_wire(exception_info(IndexError(long)))}))["raised"]
    assert whole_message(info) == long and names_number(whole_message(info), 41)
    assert len(message_of(info)) <= 125 and "41" not in message_of(info)
