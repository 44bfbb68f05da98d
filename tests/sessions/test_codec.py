"""The `h2` session value format: what a visitor keeps, what a forger or a broken store cannot do.

Engine-level tests run on a real redis-server and look at the bytes Redis holds; the rest call
`sessions_backend.codec` directly with the engine's salt.
"""

import base64
import datetime
import logging
import pickle
import tracemalloc
import zlib

import numpy as np
import pytest
from django.core import signing

from sessions_backend import codec
from sessions_backend.engine import SessionStore

SALT = "django.contrib.sessions.SessionStore"  # `SessionBase.key_salt` of the engine
WIZARD = {
    "calculator": {
        "step": 2,
        "target": {"address": "Москва, ул. Тверская, д. 1", "area": 126.4, "price": 12_500_000},
        "comparables": [{"id": i, "excluded": i % 3 == 0, "note": None} for i in range(5)],
    },
    "_auth_user_id": "7",
}


def stored(storage, key: str) -> str:
    return storage.primary.client.get(storage.primary.namespace + key).decode()


def put(storage, key: str, value: str | bytes) -> None:
    storage.primary.client.set(storage.primary.namespace + key, value, px=60_000)


def signed(body: str, secret: str) -> str:
    """A value with a genuine MAC over any body: what only a holder of the secret could write."""
    return f"{codec.PREFIX}{codec.mac(body.encode(), secret, SALT).decode()}:{body}"


def legacy(session: dict) -> str:
    """What the engine stored before `h2`: `SessionBase.encode()`."""
    return signing.dumps(session, salt=SALT, compress=True, serializer=codec.JSONSerializer)


def saved(data: dict) -> SessionStore:
    session = SessionStore()
    session.update(data)
    session.save()
    return session


# --- round trip -------------------------------------------------------------------------------


def test_a_saved_session_loads_in_a_fresh_store(redis_sessions):
    session = saved(WIZARD)
    assert stored(redis_sessions, session.session_key).startswith("h2:")
    assert dict(SessionStore(session.session_key).items()) == WIZARD


def test_json_rules_are_the_standard_librarys(settings):
    assert codec.loads(codec.dumps({1: "a", None: [True, 1.5]}, SALT), SALT) == {
        "1": "a",
        "null": [True, 1.5],
    }
    assert codec.loads(codec.dumps({"x": np.float64(0.25)}, SALT), SALT) == {"x": 0.25}
    with pytest.raises(TypeError):
        codec.dumps({"when": datetime.datetime.now()}, SALT)
    with pytest.raises(TypeError):
        codec.dumps({"n": np.int64(3)}, SALT)


# --- signature --------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [50, 20_000], ids=["plain", "compressed"])
def test_flipping_any_character_makes_the_value_absent(size):
    value = codec.dumps({"blob": "я" * size}, SALT)
    positions = range(len(value)) if len(value) < 400 else range(0, len(value), 37)
    for position in positions:
        flipped = "A" if value[position] != "A" else "B"
        with pytest.raises(codec.Refused):
            codec.loads(value[:position] + flipped + value[position + 1 :], SALT)


def test_tampered_value_in_redis_is_absent_and_logged_with_a_short_key(redis_sessions, caplog):
    session = saved({"price": 10_000_000})
    key = session.session_key
    value = stored(redis_sessions, key)
    put(redis_sessions, key, value.replace("10000000", "10000001"))
    with caplog.at_level(logging.WARNING, logger="sessions_backend"):
        assert SessionStore(key).load() == {}
    assert [r.getMessage() for r in caplog.records] == [
        f"Session {key[:6]}… failed its signature; treated as absent"
    ]


def test_a_value_signed_with_a_foreign_secret_is_refused(settings):
    settings.SECRET_KEY = "another deployment's secret " * 2
    foreign = codec.dumps({"step": 3}, SALT)
    settings.SECRET_KEY = "this deployment's secret " * 2
    with pytest.raises(codec.Refused, match="signature"):
        codec.loads(foreign, SALT)


# --- upgrades and rotation --------------------------------------------------------------------


def test_a_value_in_djangos_format_loads_and_is_rewritten_as_h2_on_save(redis_sessions):
    key = "oldformat" + "0" * 23
    put(redis_sessions, key, legacy(WIZARD))
    session = SessionStore(key)
    assert dict(session.items()) == WIZARD
    session["calculator"]["step"] = 3
    session.modified = True
    session.save()
    assert stored(redis_sessions, key).startswith("h2:")
    assert SessionStore(key)["calculator"]["step"] == 3


@pytest.mark.parametrize("old_format", [codec.dumps, lambda data, salt: legacy(data)])
def test_rotated_secret_still_loads_and_next_save_signs_with_the_new_one(
    redis_sessions, settings, old_format
):
    old, new = "the secret of last year " * 2, "the secret of this year " * 2
    settings.SECRET_KEY = old
    key = "rotation" + "0" * 24
    put(redis_sessions, key, old_format({"step": 2}, SALT))
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = new, [old]
    session = SessionStore(key)
    assert session["step"] == 2
    session["step"] = 3
    session.save()
    settings.SECRET_KEY_FALLBACKS = []
    value = stored(redis_sessions, key)
    assert value[3:46] == codec.mac(value[47:].encode(), new, SALT).decode()
    assert codec.loads(value, SALT) == {"step": 3}


# --- compression ------------------------------------------------------------------------------


def test_small_values_stay_readable_json_and_large_ones_are_compressed():
    small = {"note": "x" * (codec.COMPRESS_ABOVE - 20)}
    large = {"note": "x" * (codec.COMPRESS_ABOVE + 20)}
    small_value, large_value = codec.dumps(small, SALT), codec.dumps(large, SALT)
    assert small_value[46:48] == ":j" and small_value.endswith('"}')
    assert large_value[46:48] == ":z" and len(large_value) < codec.COMPRESS_ABOVE / 4
    assert codec.loads(small_value, SALT) == small
    assert codec.loads(large_value, SALT) == large


def test_a_decompression_bomb_is_refused_within_bounded_memory(settings):
    bomb = zlib.compress(b'{"x":"' + b" " * (64 * 1024 * 1024) + b'"}', 9)
    value = signed("z" + base64.b64encode(bomb).decode(), settings.SECRET_KEY)
    assert len(value) < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(codec.Refused, match="decompresses to more than"):
            codec.loads(value, SALT)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * codec.MAX_JSON_BYTES


# --- never pickle -----------------------------------------------------------------------------


class PickleSerializer:
    def dumps(self, obj):
        return pickle.dumps(obj)

    def loads(self, data):
        return pickle.loads(data)


def test_a_pickle_with_a_valid_signature_is_never_unpickled(settings, monkeypatch):
    payload = pickle.dumps({"step": 2}, protocol=0)  # printable, so the MAC covers it as is
    forged = [
        signed("j" + payload.decode(), settings.SECRET_KEY),
        signed("z" + base64.b64encode(zlib.compress(payload)).decode(), settings.SECRET_KEY),
        signed("p" + payload.decode(), settings.SECRET_KEY),
        signing.dumps({"step": 2}, salt=SALT, serializer=PickleSerializer),
    ]

    def refuse(*args, **kwargs):
        raise AssertionError("pickle.loads was called")

    monkeypatch.setattr(pickle, "loads", refuse)
    for value in forged:
        with pytest.raises(codec.Refused):
            codec.loads(value, SALT)


# --- hostile values read back from the store --------------------------------------------------


def hostile_values(settings) -> list[str]:
    genuine = codec.dumps(WIZARD, SALT)
    cut_stream = base64.b64encode(zlib.compress(b'{"a": 1}')[:-4]).decode()
    return [
        "",
        "garbage",
        "h2:",
        genuine[:45],
        genuine[:47],
        genuine[: len(genuine) // 2],
        "h3" + genuine[2:],
        genuine.replace("h2:", "h2;", 1),
        genuine[:10] + "\ud800" + genuine[11:],
        "h2:" + "é" * 43 + ":j{}",
        signed("j[1, 2]", settings.SECRET_KEY),
        signed('j"text"', settings.SECRET_KEY),
        signed("j{not json", settings.SECRET_KEY),
        signed("z!!!not base64", settings.SECRET_KEY),
        signed("z" + cut_stream, settings.SECRET_KEY),
        signing.dumps([1, 2], salt=SALT),
        "x" * (codec.MAX_VALUE_CHARS + 1),
    ]


def test_hostile_values_are_refused_never_raised(settings):
    for value in hostile_values(settings):
        with pytest.raises(codec.Refused):
            codec.loads(value, SALT)


def test_a_hostile_value_in_redis_is_one_log_line_and_an_empty_session(
    redis_sessions, settings, caplog
):
    # Redis holds bytes, so no lone surrogate; an empty value is a plain miss for the storage.
    values = [v.encode() for v in hostile_values(settings) if v and "\ud800" not in v]
    hostile = [*values, b"\xff\xfe not UTF-8", b"h2:" + b"\xc3" * 43 + b":j{}"]
    for number, value in enumerate(hostile):
        key = f"{number:02d}host" + "0" * 26  # logged once per short key: a short key each
        put(redis_sessions, key, value)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="sessions_backend"):
            session = SessionStore(key)
            assert session.load() == {}
        assert session.session_key is None
        assert len(caplog.records) == 1 and key not in caplog.text


def test_a_session_too_large_to_read_back_is_never_written():
    with pytest.raises(ValueError, match="exceeds"):
        codec.dumps({"blob": "x" * codec.MAX_JSON_BYTES}, SALT)
