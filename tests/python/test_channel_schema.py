"""Self-describing channels: the name and schema a channel stores, derived by
Publisher from its default, discovered by Subscriber(name) with no default,
and refused when they differ (doc/channel.md, "Names and schemas")."""
import ctypes
import errno
import multiprocessing
import os
import time

import numpy as np
import pytest

import svipc
from svipc import _schema

CTX = multiprocessing.get_context("fork")


class Pose(ctypes.Structure):
    _fields_ = [("x", ctypes.c_double), ("y", ctypes.c_double), ("stamp", ctypes.c_int64),
                ("flags", ctypes.c_uint8 * 3), ("ok", ctypes.c_bool)]


POSE_SCHEMA = ('{"names":["x","y","stamp","flags","ok"],"formats":["<f8","<f8","<i8","(3,)|u1","|b1"],'
               '"offsets":[0,8,16,24,27],"itemsize":32}')
STRUCTURED = np.dtype({"names": ["a", "b"], "formats": ["<i4", "(2,)<f4"], "offsets": [0, 8], "itemsize": 16})


@pytest.mark.parametrize("default, schema", [
    (True, "|b1"), (7, "<i8"), (2.5, "<f8"), (b"abcd", "|V4"),
    (Pose(), POSE_SCHEMA), (Pose, POSE_SCHEMA),
    (np.zeros(3), "(3,)<f8"), (np.zeros((4, 2, 3), np.uint8), "(4,2,3)|u1"), (np.int32(5), "<i4"),
    (np.zeros((), STRUCTURED), '{"names":["a","b"],"formats":["<i4","(2,)<f4"],"offsets":[0,8],"itemsize":16}'),
    (np.zeros(2, STRUCTURED),
     '(2,){"names":["a","b"],"formats":["<i4","(2,)<f4"],"offsets":[0,8],"itemsize":16}'),
])
def test_publisher_stores_the_schema_of_its_default_and_the_name(topic, default, schema):
    with svipc.Publisher(topic, default) as pub:
        assert pub.schema == schema
        assert pub.channel.schema == schema and pub.channel.name == topic
        info = pub.channel.stat()
        assert info.layout_version == 4 and info.attached == 1
        assert abs(info.created_time_ns - time.time_ns()) < 10 * 10**9
        # The schema is numpy's own text: it round-trips through np.dtype.
        if _schema.bytes_size(schema) == 0:
            dtype, shape = _schema.to_dtype(schema)
            assert _schema.of_dtype(dtype, shape) == schema
            assert dtype.itemsize * int(np.prod(shape)) == pub.channel.payload_size


def test_ctypes_and_numpy_derive_the_same_schema():
    assert _schema.of_ctypes(Pose) == _schema.of_dtype(np.dtype(Pose)) == POSE_SCHEMA


def _publish_in_child(name, default, value, ready, done):
    with svipc.Publisher(name, default) as pub:
        pub.publish(value)
        ready.set()
        done.wait(10)
    os._exit(0)


@pytest.mark.parametrize("default, value, check", [
    (False, True, lambda v: type(v) is bool and v is True),
    (0, -42, lambda v: type(v) is int and v == -42),
    (0.0, 1.25, lambda v: type(v) is float and v == 1.25),
    (b"\0" * 5, b"hello", lambda v: type(v) is bytes and v == b"hello"),
    (np.zeros(3), np.arange(3.0), lambda v: isinstance(v, np.ndarray) and list(v) == [0.0, 1.0, 2.0]),
    (np.int16(0), np.int16(-3), lambda v: type(v) is np.int16 and v == -3),
    (Pose(), Pose(1.0, 2.0, 3, (ctypes.c_uint8 * 3)(4, 5, 6), True),
     lambda v: isinstance(v, np.void) and (v["x"], v["y"], v["stamp"], list(v["flags"]), v["ok"]) ==
     (1.0, 2.0, 3, [4, 5, 6], True)),
])
def test_subscriber_without_default_discovers_the_type_from_another_process(topic, default, value, check):
    ready, done = CTX.Event(), CTX.Event()
    child = CTX.Process(target=_publish_in_child, args=(topic, default, value, ready, done))
    child.start()
    try:
        assert ready.wait(10)
        with svipc.Subscriber(topic) as sub:
            got, ok = sub.subscribe()
            assert ok and check(got), got
            assert sub.schema == _schema.of_value(_default_value(default))
    finally:
        done.set()
        child.join(10)
    assert child.exitcode == 0


def _default_value(default):
    return default() if isinstance(default, type) else default


def test_subscriber_with_a_ctypes_class_returns_instances(topic):
    with svipc.Publisher(topic, Pose) as pub, svipc.Subscriber(topic, Pose) as sub:
        pub.publish(Pose(x=1.5, stamp=9))
        value, ok = sub.subscribe()
        assert ok and type(value) is Pose and (value.x, value.stamp) == (1.5, 9)


def test_subscriber_without_default_waits_for_the_channel(topic):
    with svipc.Subscriber(topic) as sub:
        assert sub.subscribe() == (None, False) and sub.schema is None
        with svipc.Publisher(topic, 3.5) as pub:
            assert sub.subscribe() == (None, False)  # exists, nothing published yet
            pub.publish(4.5)
            assert sub.subscribe() == (4.5, True) and sub.schema == "<f8"


def test_struct_schema_written_as_text_is_read_as_structured_values(topic):
    # What a C program does: svipc_channel_open_schema with the schema as a string.
    with svipc.Channel(topic, svipc.CHANNEL_TYPE_USER, 32, create=True, schema=POSE_SCHEMA) as channel:
        channel.publish(bytes(Pose(3.0, 4.0, 5, (ctypes.c_uint8 * 3)(1, 2, 3), True)))
        with svipc.Subscriber(topic) as sub:
            value, ok = sub.subscribe()
            assert ok and (value["x"], value["y"], value["stamp"], value["ok"]) == (3.0, 4.0, 5, True)
        with svipc.Subscriber(topic, Pose()) as typed:  # the ctypes struct derives the same text
            value, ok = typed.subscribe()
            assert ok and value.stamp == 5 and list(value.flags) == [1, 2, 3]


def test_schema_mismatch_is_refused_both_ways_naming_both(topic):
    other = '{"names":["x","y"],"formats":["<f8","<f8"],"offsets":[0,8],"itemsize":32}'
    with svipc.Channel(topic, svipc.CHANNEL_TYPE_USER, 32, create=True, schema=POSE_SCHEMA):
        with pytest.raises(OSError) as info:  # the C API's check
            svipc.Channel(topic, svipc.CHANNEL_TYPE_ANY, 32, schema=other)
        assert info.value.errno == errno.EINVAL
        assert POSE_SCHEMA in str(info.value) and other in str(info.value)
        with pytest.raises(OSError) as info:  # a typed subscriber of the same size
            svipc.Subscriber(topic, np.zeros(4))
        assert info.value.errno == errno.EINVAL and "(4,)<f8" in str(info.value) and POSE_SCHEMA in str(info.value)
        with pytest.raises(OSError) as info:  # a publisher of the same size
            svipc.Publisher(topic, np.zeros(4))
        assert info.value.errno == errno.EINVAL and "(4,)<f8" in str(info.value)
    svipc.remove_channel(topic)
    with svipc.Publisher(topic, np.zeros(4)):  # and the other way round
        with pytest.raises(OSError) as info:
            svipc.Channel(topic, svipc.CHANNEL_TYPE_USER, 32, schema=POSE_SCHEMA)
        assert info.value.errno == errno.EINVAL and "(4,)<f8" in str(info.value) and POSE_SCHEMA in str(info.value)
        with pytest.raises(OSError):
            svipc.Subscriber(topic, Pose)


def test_an_opaque_channel_carries_any_type_of_its_size(topic):
    # Created without a schema (a C BYTES channel, the bridge): "|V<n>".
    with svipc.Channel(topic, svipc.CHANNEL_TYPE_BYTES, 32, create=True) as channel:
        assert channel.schema == "|V32"
        with svipc.Publisher(topic, Pose) as pub, svipc.Subscriber(topic, Pose) as sub:
            pub.publish(Pose(stamp=11))
            value, ok = sub.subscribe()
            assert ok and value.stamp == 11
        with svipc.Subscriber(topic) as raw:
            value, ok = raw.subscribe()
            assert ok and type(value) is bytes and len(value) == 32


def test_bad_schemas_are_refused_and_leave_nothing(topic):
    for bad in ["", "x" * 2048, "<f8\n", "caf\u00e9"]:
        with pytest.raises((OSError, UnicodeEncodeError)):
            svipc.Channel(topic, svipc.CHANNEL_TYPE_USER, 8, create=True, schema=bad)
    with pytest.raises(FileNotFoundError):
        svipc.Channel(topic, svipc.CHANNEL_TYPE_ANY, 0)
    with pytest.raises(ValueError):
        svipc.Channel(None, svipc.CHANNEL_TYPE_USER, 8, schema="<f8")  # by key: no schema
    with pytest.raises(ValueError):  # a schema that does not describe the payload size
        with svipc.Channel(topic, svipc.CHANNEL_TYPE_USER, 16, create=True, schema="<f8"):
            svipc.Subscriber(topic)


def test_names_are_stored_and_never_mixed_up(topic):
    assert svipc.key_from_name(topic + "/a") != svipc.key_from_name(topic + "_a")
    with svipc.Publisher(topic + "/a", 1) as a, svipc.Publisher(topic + "_a", 2.0) as b:
        assert (a.channel.name, b.channel.name) == (topic + "/a", topic + "_a")
    for name in (topic + "/a", topic + "_a"):
        svipc.remove_channel(name)
    with svipc.Channel(key=svipc.key_from_name(topic), type=svipc.CHANNEL_TYPE_INT64, payload_size=8,
                       create=True) as by_key:
        assert by_key.name == "" and by_key.schema == "<i8"
        with svipc.Subscriber(topic) as sub:  # a channel made by key has no name: any name of its key opens it
            assert sub.subscribe() == (None, False) and sub.schema == "<i8"
    with pytest.raises(OSError) as info:
        svipc.Channel("x" * 256, svipc.CHANNEL_TYPE_INT64, 8, create=True)
    assert info.value.errno == errno.EINVAL


def _fnv1a64(data):
    value = 14695981039346656037
    for byte in data:
        value = ((value ^ byte) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return value


def test_segment_description_and_attached_count(topic):
    with svipc.Publisher(topic, Pose) as pub:
        shmid = pub.channel.stat().shm_id
        assert svipc.channel_description_of_segment(shmid) == (topic, POSE_SCHEMA)
        info = svipc.channel_info_of_segment(shmid)
        assert info.schema_hash == pub.channel.stat().schema_hash == _fnv1a64(POSE_SCHEMA.encode())
        assert info.attached == 1
        subs = [svipc.Subscriber(topic) for _ in range(3)]
        for sub in subs:
            sub.subscribe()
        assert pub.channel.stat().attached == 4
        for sub in subs:
            sub.close()
        assert pub.channel.stat().attached == 1
