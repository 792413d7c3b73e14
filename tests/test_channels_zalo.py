"""The Zalo OA channel end to end: signed webhooks into the real gateway (a subprocess),
the real Rasa and action server, replies delivered to a stand-in of Zalo's OpenAPI."""

from __future__ import annotations

import asyncio
import re
import ssl
import uuid
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.services.channels.zalo import media_url_refused, pinned
from tests.standins import zalo as zalo_standin
from tests.standins.gateway import Gateway
from tests.standins.server import ThreadServer, settle, wait_for
from tests.standins.zalo import ZaloStandin, event, signed
from voice import synth

CODE_RE = re.compile(r"PA-\d{4}-\d{6}")
JPEG = b"\xff\xd8\xff\xe0" + b"hue-assist test photo " * 20


@pytest.fixture(scope="module")
def zalo(stack) -> Iterator[ZaloStandin]:
    standin = ZaloStandin().start()
    try:
        yield standin
    finally:
        standin.stop()


def zalo_env(stack, standin: ZaloStandin) -> dict[str, str]:
    return {
        **stack.env,
        "RASA_URL": stack.rasa_url,
        "ACTION_SERVER_URL": stack.settings.action_server_url,
        **zalo_standin.gateway_env(standin),
    }


@pytest.fixture(scope="module")
def gateway(stack, zalo) -> Iterator[Gateway]:
    gw = Gateway(zalo_env(stack, zalo), stack.settings.home / "logs" / "gateway-zalo.log")
    gw.start()
    try:
        yield gw
    finally:
        gw.stop()


def user() -> str:
    return f"{uuid.uuid4().int % 10**18}"


def post(gateway: Gateway, evt: dict) -> httpx.Response:
    body, headers = signed(evt)
    return httpx.post(f"{gateway.url}/webhooks/zalo", content=body, headers=headers, timeout=10)


def say(gateway: Gateway, zalo: ZaloStandin, uid: str, evt: dict) -> list[str]:
    """Send one event and wait for its replies to be delivered; their texts."""
    before = len(zalo.to(uid))
    assert post(gateway, evt).status_code == 200
    wait_for(lambda: len(zalo.to(uid)) > before, timeout=60)
    settle(lambda: len(zalo.to(uid)))
    return zalo.texts_to(uid)[before:]


def inbox_rows(stack, channel_msg_id: str) -> list[dict]:
    with stack.store() as store:
        return list(
            store.db.query("SELECT * FROM inbox WHERE channel_msg_id = ?", [channel_msg_id])
        )


def test_signed_text_is_answered_on_zalo(stack, zalo, gateway):
    uid = user()
    replies = say(gateway, zalo, uid, event(uid, text="xin chao"))
    assert "Xin chào" in "\n".join(replies)
    assert all(s.token == zalo.access_token for s in zalo.to(uid))
    health = httpx.get(f"{gateway.url}/healthz").json()
    assert health["status"] == "ok", health
    assert health["channels"]["zalo"] == "ok" and health["inbox"]["pending"] == 0


def test_buttons_arrive_as_hidden_query_buttons(stack, zalo, gateway):
    uid = user()
    say(gateway, zalo, uid, event(uid, text="toi muon phan anh"))
    messages = [s.message for s in zalo.to(uid)]
    buttons = [b for m in messages for b in zalo_standin.buttons_of(m)]
    assert buttons and len(buttons) <= 4
    # oa.query.hide: the tap is not printed in the citizen's chat as if they had typed it.
    assert all(b["type"] == "oa.query.hide" and b["payload"].startswith("/") for b in buttons)
    # Tapping a button sends its payload back as the citizen's text: the form goes on.
    reply = say(gateway, zalo, uid, zalo_standin.tap(uid, buttons[0]))
    assert "ở đâu" in "\n".join(reply)


def test_report_with_location_and_photo(stack, zalo, gateway):
    uid = user()
    zalo.files["scene.jpg"] = JPEG
    where = {
        "type": "location",
        "payload": {"coordinates": {"latitude": "16.4637", "longitude": "107.5909"}},
    }
    say(gateway, zalo, uid, event(uid, "user_send_location", text="", attachments=[where]))
    assert "mô tả" in "\n".join(say(gateway, zalo, uid, event(uid, text="den duong bi hong")))
    asked = say(gateway, zalo, uid, event(uid, text="den tat 3 dem roi, rat toi va nguy hiem"))
    assert "ảnh" in "\n".join(asked)
    photo = {"type": "image", "payload": {"url": f"{zalo.url}/files/scene.jpg", "thumbnail": ""}}
    asked = say(gateway, zalo, uid, event(uid, "user_send_image", text="", attachments=[photo]))
    assert "điện thoại" in "\n".join(asked)
    readback = "\n".join(say(gateway, zalo, uid, event(uid, text="/deny")))
    assert "16.4637" in readback
    done = "\n".join(say(gateway, zalo, uid, event(uid, text="/affirm")))
    code = CODE_RE.search(done).group(0)
    # How they will hear about progress, with Zalo's 7 days (no phone, no template here).
    assert "7 ngày" in done and f"kiểm tra {code}" in done
    with stack.store() as store:
        report = store.get_report(code)
    assert (report["lat"], report["long"]) == (16.4637, 107.5909)
    assert report["channel"] == "zalo" and report["service_code"] == "streetlight"
    assert report["media_url"].startswith(f"http://127.0.0.1:{gateway.port}/media/")
    served = httpx.get(report["media_url"])
    assert served.status_code == 200 and served.content == JPEG


def test_token_expiry_mid_conversation_refreshes_and_stores_the_new_pair(stack, zalo, gateway):
    uid = user()
    say(gateway, zalo, uid, event(uid, text="xin chao"))
    old_refresh = zalo.refresh_token
    zalo.expire_token()
    replies = say(gateway, zalo, uid, event(uid, text="cam on"))
    assert replies  # delivered after a refresh and one retry
    refresh = zalo.refreshes[-1]
    assert refresh["secret_key"] == zalo_standin.APP_SECRET
    assert refresh["form"] == {
        "refresh_token": old_refresh,
        "app_id": zalo_standin.APP_ID,
        "grant_type": "refresh_token",
    }
    assert zalo.to(uid)[-1].token == zalo.access_token


def test_refreshed_pair_is_stored_and_used_next_time(stack, zalo, gateway):
    uid = user()
    zalo.expire_token()
    say(gateway, zalo, uid, event(uid, text="xin chao"))
    with stack.store() as store:
        row = store.db.execute(
            "SELECT access_token, refresh_token, expires_at FROM channel_tokens"
            " WHERE channel = 'zalo'"
        ).fetchone()
    assert row[0] == zalo.access_token and row[1] == zalo.refresh_token
    assert row[2]  # expires_in was honoured
    refreshes = len(zalo.refreshes)
    say(gateway, zalo, uid, event(uid, text="cam on"))
    assert len(zalo.refreshes) == refreshes  # the stored token is still good: no refresh


def test_replayed_event_is_answered_once(stack, zalo, gateway):
    uid = user()
    evt = event(uid, text="xin chao")
    first = post(gateway, evt)
    assert first.json()["accepted"] == 1
    for _ in range(3):  # Zalo's retries of the same event
        again = post(gateway, evt)
        assert again.status_code == 200 and again.json()["duplicates"] == 1
    wait_for(lambda: zalo.to(uid), timeout=60)
    settle(lambda: len(zalo.to(uid)), quiet=1.5)
    assert len(inbox_rows(stack, evt["message"]["msg_id"])) == 1
    assert len(zalo.to(uid)) == 1


def test_forged_or_missing_signature_is_answered_200_and_nothing_stored(stack, gateway):
    """Zalo would retry a refused event for hours and may switch the webhook off: events we
    cannot verify or read get a 200 with nothing stored, and are counted."""
    uid = user()
    evt = event(uid, text="xin chao")
    body, headers = signed(evt, key="not-the-secret")
    before = httpx.get(f"{gateway.url}/healthz").json()["webhooks"]["zalo"]["unverified"]
    forged = httpx.post(f"{gateway.url}/webhooks/zalo", content=body, headers=headers)
    assert forged.status_code == 200 and forged.json()["dropped"] == "unverified"
    bare = httpx.post(
        f"{gateway.url}/webhooks/zalo", content=body, headers={"Content-Type": "application/json"}
    )
    assert bare.status_code == 200 and bare.json()["accepted"] == 0
    tampered_body = body.replace(b"xin chao", b"xin chao!")
    _, good = signed(evt)
    tampered = httpx.post(f"{gateway.url}/webhooks/zalo", content=tampered_body, headers=good)
    assert tampered.status_code == 200 and tampered.json()["dropped"] == "unverified"
    assert inbox_rows(stack, evt["message"]["msg_id"]) == []
    health = httpx.get(f"{gateway.url}/healthz").json()
    assert health["webhooks"]["zalo"]["unverified"] == before + 3
    assert health["checks"]["webhook:zalo"].startswith("signature failures")  # 3 in a row
    assert post(gateway, event(uid, text="xin chao")).json()["accepted"] == 1
    assert httpx.get(f"{gateway.url}/healthz").json()["checks"]["webhook:zalo"] == "ok"


def test_body_over_one_megabyte_is_refused_before_anything_reads_it(stack, gateway):
    # No Zalo event comes near 1 MB: the gateway's body limit answers 413 before the route
    # (bot/gateway/limits.py), and nothing is stored.
    uid = user()
    evt = event(uid, text="x" * (1024 * 1024 + 10))
    body, headers = signed(evt)
    response = httpx.post(f"{gateway.url}/webhooks/zalo", content=body, headers=headers)
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"
    assert inbox_rows(stack, evt["message"]["msg_id"]) == []


def test_malformed_json_is_dropped(stack, gateway):
    body = b'{"app_id": "1", "event_name": "user_send_text", '
    headers = {"X-ZEvent-Signature": zalo_standin.sign(body, "1", "")}
    response = httpx.post(f"{gateway.url}/webhooks/zalo", content=body, headers=headers)
    assert response.status_code == 200 and response.json()["dropped"] == "unreadable"
    # A well-formed, signed event missing the message id is dropped too (and counted).
    evt = event(user(), text="xin chao")
    del evt["message"]["msg_id"]
    assert post(gateway, evt).json()["dropped"] == "unreadable"
    assert httpx.get(f"{gateway.url}/healthz").json()["webhooks"]["zalo"]["unreadable"] >= 2


def test_voice_note_gets_a_request_to_type(stack, zalo, gateway):
    uid = user()
    voice = {"type": "audio", "payload": {"url": f"{zalo.url}/files/voice.amr"}}
    replies = say(gateway, zalo, uid, event(uid, "user_send_audio", text="", attachments=[voice]))
    assert "nhắn bằng chữ" in "\n".join(replies)


@pytest.mark.skipif(synth.missing_tool() is not None, reason="espeak-ng or sox is missing")
def test_a_spoken_voice_note_is_heard_and_answered(stack, zalo, gateway, tmp_path):
    note = synth.speak("I want to report a broken street light.", "en-us", tmp_path / "n.wav")
    zalo.files["note.wav"] = note.read_bytes()
    uid = user()
    voice = {"type": "audio", "payload": {"url": f"{zalo.url}/files/note.wav"}}
    replies = "\n".join(
        say(gateway, zalo, uid, event(uid, "user_send_audio", text="", attachments=[voice]))
    )
    assert "Mình nghe được" in replies and "street light" in replies.lower(), replies
    assert "ở đâu" in replies or "where" in replies.lower(), replies  # the report form started


def test_rate_limit_backs_off_and_no_interaction_is_kept_undeliverable(stack, zalo, gateway):
    uid = user()
    zalo.fail_next(-32, "Request exceeds limit")
    # -32: backed off (30 s by default is too long for a test: the row must be pending).
    assert post(gateway, event(uid, text="xin chao")).status_code == 200
    wait_for(lambda: zalo.refused and zalo.refused[-1]["body"]["recipient"]["user_id"] == uid)
    with stack.store() as store:
        row = wait_for(
            lambda: store.db.execute(
                "SELECT state, attempts, last_error, next_attempt_at FROM outbox"
                " WHERE sender_id = ? AND attempts > 0",
                [f"zalo:{uid}"],
            ).fetchone()
        )
    assert row[0] == "pending" and "-32" in row[2]
    other = user()
    zalo.fail_next(-230, "User has not interacted with the OA in the last 7 days")
    assert post(gateway, event(other, text="xin chao")).status_code == 200
    with stack.store() as store:
        state = wait_for(
            lambda: store.db.execute(
                "SELECT state, reason FROM outbox WHERE sender_id = ? AND state != 'pending'",
                [f"zalo:{other}"],
            ).fetchone()
        )
    assert state == ("undeliverable", "window")  # a reply: no template for it
    assert zalo.to(other) == []


def test_unknown_and_receipt_events_are_acknowledged_only(stack, gateway):
    uid = user()
    seen = {**event(uid, "user_seen_message", msg_ids=["a"]), "message": {"msg_ids": ["a"]}}
    response = post(gateway, seen)
    assert response.status_code == 200 and response.json()["accepted"] == 0


def test_a_photo_address_inside_the_network_or_too_large_is_not_fetched(stack, zalo, gateway):
    """A signed event names the photo's URL; only public https (or the configured Zalo API
    host) is fetched, and at most 10 MB. The citizen is asked to send the photo again."""
    hits: list[str] = []

    async def inside(request: Request) -> Response:
        hits.append(request.url.path)
        return Response(JPEG, media_type="image/jpeg")

    internal = ThreadServer(Starlette(routes=[Route("/{path:path}", inside)])).start()
    zalo.files["huge.jpg"] = JPEG + b"\0" * (10 * 1024 * 1024)
    try:
        for url in (
            f"{internal.url}/admin.jpg",  # plain http, another host
            f"https://127.0.0.1:{internal.port}/admin.jpg",  # https, but loopback
            f"{zalo.url}/files/huge.jpg",  # the Zalo host, but over 10 MB
        ):
            uid = user()
            photo = {"type": "image", "payload": {"url": url, "thumbnail": ""}}
            replies = say(gateway, zalo, uid, event(uid, "user_send_image", attachments=[photo]))
            assert "không mở được ảnh" in "\n".join(replies), (url, replies)
        assert hits == []  # the internal server was never asked
    finally:
        internal.stop()
        zalo.files.pop("huge.jpg", None)


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("https://8.8.8.8/photo.jpg", None),  # a public address (a literal: no DNS needed)
        ("http://8.8.8.8/photo.jpg", "not an https address"),
        ("file:///etc/passwd", "not an https address"),
        ("https://10.0.0.5/photo.jpg", "not a public address"),
        ("https://169.254.169.254/latest/meta-data", "not a public address"),
        ("https://[::1]/photo.jpg", "not a public address"),
        ("https://localhost/photo.jpg", "not a public address"),
        ("http://127.0.0.1:9999/files/a.jpg", None),  # the configured API host itself
    ],
)
def test_media_addresses(url, refused):
    assert asyncio.run(media_url_refused(url, "http://127.0.0.1:9999")) == refused


def test_a_media_request_goes_to_the_checked_address_under_its_own_name():
    assert pinned("https://cdn.example:8443/a.jpg?x=1", "93.184.216.34") == (
        "https://93.184.216.34:8443/a.jpg?x=1",
        {"headers": {"Host": "cdn.example:8443"}, "extensions": {"sni_hostname": "cdn.example"}},
    )
    assert pinned("https://cdn.example/a.jpg", "2606:2800::1")[0] == "https://[2606:2800::1]/a.jpg"
    assert pinned("http://127.0.0.1:9999/f", "127.0.0.1") == (
        "http://127.0.0.1:9999/f",
        {"headers": {"Host": "127.0.0.1:9999"}},
    )


def test_a_pinned_https_fetch_still_verifies_the_certificate_for_the_name(tmp_path):
    """DNS rebinding: the photo is fetched from the address that was checked, not from a
    second lookup. Over TLS the server is still asked for, and verified as, the name: a
    stand-in CDN with a certificate for "media.hue.test" (a name no DNS resolves)."""
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    pem = tmp_path / "server.pem"
    ca.issue_cert("media.hue.test").private_key_and_cert_chain_pem.write_to_path(str(pem))
    hosts: list[str] = []

    async def photo(request: Request) -> Response:
        hosts.append(request.headers["host"])
        return Response(JPEG, media_type="image/jpeg")

    app = Starlette(routes=[Route("/p.jpg", photo)])
    server = ThreadServer(app, ssl_certfile=str(pem)).start()
    trust = ssl.create_default_context()
    ca.configure_trust(trust)

    async def fetch(url: str, pin: bool = True) -> httpx.Response:
        async with httpx.AsyncClient(verify=trust) as client:
            target, options = pinned(url, "127.0.0.1") if pin else (url, {})
            return await client.get(target, **options)

    try:
        url = f"https://media.hue.test:{server.port}/p.jpg"
        response = asyncio.run(fetch(url))
        assert response.status_code == 200 and response.content == JPEG
        assert hosts == [f"media.hue.test:{server.port}"]
        with pytest.raises(httpx.ConnectError):  # the certificate is not for this name
            asyncio.run(fetch(f"https://other.hue.test:{server.port}/p.jpg"))
        with pytest.raises(httpx.ConnectError):  # and the name itself leads nowhere
            asyncio.run(fetch(url, pin=False))
    finally:
        server.stop()
