"""The operators' desk in headless Chromium, against the real stack: a Zalo citizen asks for
a person, an operator signs in, claims the conversation, inserts a suggested answer, sends it,
and gives the conversation back to the assistant."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_support import chromium, needs_chromium
from tests.desk_support import PASSWORD, add_operator, operator_name, zalo_says, zalo_user
from tests.standins import zalo as zalo_standin
from tests.standins.gateway import Gateway
from tests.standins.server import wait_for
from tests.standins.zalo import ZaloStandin

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def zalo(stack) -> Iterator[ZaloStandin]:
    standin = ZaloStandin().start()
    try:
        yield standin
    finally:
        standin.stop()


@pytest.fixture(scope="module")
def gateway(stack, zalo) -> Iterator[Gateway]:
    env = {
        **stack.env,
        "RASA_URL": stack.rasa_url,
        "ACTION_SERVER_URL": stack.settings.action_server_url,
        **zalo_standin.gateway_env(zalo),
    }
    gw = Gateway(env, stack.settings.home / "logs" / "gateway-desk-browser.log")
    gw.start()
    try:
        yield gw
    finally:
        gw.stop()


@pytest.fixture
def browser():
    with chromium("1280,860", console_log=True) as driver:
        yield driver


class Desk:
    """What an operator does on the desk page."""

    def __init__(self, driver, url: str) -> None:
        from selenium.webdriver.common.by import By

        self.by = By
        self.driver = driver
        driver.get(url + "/desk")

    def wait(self, condition, timeout: float = 60):
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout, poll_frequency=0.2).until(condition)

    def find(self, css: str):
        return self.driver.find_element(self.by.CSS_SELECTOR, css)

    def visible(self, css: str):
        return self.wait(lambda d: (e := self.find(css)).is_displayed() and e)

    def sign_in(self, name: str, password: str = PASSWORD) -> None:
        self.visible("#name").send_keys(name)
        self.find("#password").send_keys(password)
        self.find("#signin-button").click()

    def queue_item(self, sender: str):
        return self.wait(
            lambda d: d.find_elements(self.by.CSS_SELECTOR, f'#queue li[data-sender="{sender}"]')
        )[0]

    def transcript(self) -> str:
        return self.find("#transcript").text

    def shot(self, path: Path) -> None:
        """A screenshot (also under ``$DESK_SCREENSHOTS`` when set, to look at afterwards)."""
        self.driver.save_screenshot(str(path))
        if os.environ.get("DESK_SCREENSHOTS"):
            keep = Path(os.environ["DESK_SCREENSHOTS"])
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, keep / path.name)

    def csp_errors(self) -> list[str]:
        return [
            entry["message"]
            for entry in self.driver.get_log("browser")
            if "Content Security Policy" in entry["message"]
        ]


def test_an_operator_answers_a_zalo_citizen_from_the_desk(browser, stack, zalo, gateway, tmp_path):
    uid = zalo_user()
    sender = f"zalo:{uid}"
    zalo_says(gateway, zalo, uid, "toi muon gap nhan vien")
    question = "lam sao thanh toan tien dien tren Hue-S?"
    assert len(zalo_says(gateway, zalo, uid, question)) == 1  # "please wait", once
    name = add_operator(stack.settings.db_path, operator_name())

    desk = Desk(browser, gateway.url)
    wrong = desk.visible("#name")
    wrong.send_keys(name)
    desk.find("#password").send_keys("not-my-password")
    desk.find("#signin-button").click()
    desk.wait(lambda d: "Sai tên" in desk.find("#signin-error").text)
    desk.find("#name").clear()
    desk.sign_in(name)

    item = desk.queue_item(sender)
    assert "Zalo" in item.text and "Đang chờ" in item.text and question in item.text
    desk.shot(tmp_path / "desk-queue.png")
    item.click()
    desk.wait(lambda d: question in desk.transcript())
    assert "toi muon gap nhan vien" in desk.transcript() and "Trợ lý ảo" in desk.transcript()
    assert not desk.find("#reply").is_enabled()  # not claimed yet

    desk.find("#claim").click()
    desk.wait(lambda d: desk.find("#reply").is_enabled())
    assert f"Đang xử lý bởi {name}" in desk.find("#conv-state").text
    insert = desk.wait(
        lambda d: d.find_elements(desk.by.CSS_SELECTOR, "#suggestions .insert"), timeout=180
    )[0]
    insert.click()
    text = desk.find("#reply").get_attribute("value")
    assert "Nguồn: http" in text
    before = len(zalo.to(uid))
    desk.find("#send").click()
    wait_for(lambda: len(zalo.to(uid)) > before, timeout=15)
    assert zalo.texts_to(uid)[before:] == [text.strip()]
    desk.wait(lambda d: "đã gửi" in desk.transcript(), timeout=15)
    desk.shot(tmp_path / "desk-conversation.png")

    desk.find("#release").click()
    desk.wait(lambda d: "Đã trả về trợ lý ảo" in desk.find("#conv-state").text, timeout=30)
    desk.wait(lambda d: not d.find_elements(desk.by.CSS_SELECTOR, f'#queue li[data-sender="{sender}"]'))  # fmt: skip
    wait_for(lambda: any("trợ lý ảo" in t for t in zalo.texts_to(uid)[before + 1 :]), timeout=15)
    assert "Xin chào" in "\n".join(zalo_says(gateway, zalo, uid, "xin chao"))
    assert desk.csp_errors() == []

    # on a phone: the queue, then the conversation in its place, and back
    zalo_says(gateway, zalo, uid, "cho toi gap nhan vien")
    browser.set_window_size(390, 844)
    desk.find("#back").click()  # the released conversation is still on screen
    item = desk.queue_item(sender)
    desk.shot(tmp_path / "desk-phone-queue.png")
    item.click()
    desk.wait(lambda d: desk.find("#back").is_displayed())
    assert not desk.find("#queue-pane").is_displayed()
    desk.shot(tmp_path / "desk-phone-conversation.png")
    desk.find("#back").click()
    desk.wait(lambda d: desk.find("#queue-pane").is_displayed())
    desk.find("#signout").click()
    desk.visible("#name")
    assert desk.csp_errors() == []
