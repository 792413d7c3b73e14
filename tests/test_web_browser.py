"""The web chat page in headless Chromium at a phone's size, against the real stack."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser_support import chromium, needs_chromium
from tests.webchat_support import Gateway, running_gateway

pytestmark = needs_chromium

CODE_RE = re.compile(r"PA-\d{4}-\d{6}")
MARKUP = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


@pytest.fixture(scope="module")
def gateway(stack) -> Iterator[Gateway]:
    with running_gateway(stack.env) as running:
        yield running


@pytest.fixture
def browser():
    with chromium("390,844") as driver:
        yield driver


class Page:
    """What a citizen does on the page: type, tap a choice, read the replies."""

    def __init__(self, driver, url: str) -> None:
        from selenium.webdriver.common.by import By

        self.by = By
        self.driver = driver
        driver.get(url)
        self.wait_until(lambda d: d.find_elements(By.CSS_SELECTOR, "#log .msg"))

    def wait_until(self, condition, timeout: float = 90):
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout).until(condition)

    def rows(self) -> list:
        return self.driver.find_elements(self.by.CSS_SELECTOR, "#log .msg")

    def _after(self, action) -> str:
        """Do ``action``; wait for the answer; the text of the new rows after the user's own."""
        before = len(self.rows())
        action()
        self.wait_until(
            lambda d: (
                len(self.rows()) >= before + 2 and d.find_element(self.by.ID, "typing").text == ""
            )
        )
        return "\n".join(row.text for row in self.rows()[before + 1 :])

    def type(self, text: str) -> str:
        def action() -> None:
            self.driver.find_element(self.by.ID, "message").send_keys(text)
            self.driver.find_element(self.by.ID, "send").click()

        return self._after(action)

    def tap(self, title: str) -> str:
        return self._after(lambda: self.choice(title).click())

    def choice(self, title: str):
        live = [
            b
            for b in self.driver.find_elements(self.by.CSS_SELECTOR, "#log .choice")
            if b.is_enabled() and b.text.strip() == title
        ]
        assert live, f"no live button {title!r}; the page shows:\n{self.text()}"
        return live[-1]

    def said(self, index: int) -> str:
        """The text of one bubble as a screen reader gets it ("Bạn: …" or "Trợ lý: …")."""
        bubble = self.rows()[index].find_element(self.by.CSS_SELECTOR, ".bubble")
        return bubble.get_attribute("textContent")

    def text(self) -> str:
        return self.driver.find_element(self.by.ID, "log").text


def test_a_whole_field_report_by_tapping_and_typing(browser, gateway, stack):
    page = Page(browser, gateway.url + "/")
    assert "Trợ lý Hue-S" in browser.title
    box = browser.find_element(page.by.ID, "message")
    assert box.get_attribute("placeholder") and box.get_attribute("maxlength") == "4000"
    assert browser.find_element(page.by.CSS_SELECTOR, "label[for=message]")

    category = page.tap("Phản ánh sự cố")
    assert "loại sự cố" in category
    assert page.said(-2) == "Bạn: Phản ánh sự cố"  # the title is shown, not the payload
    assert "ở đâu" in page.tap("Đèn đường")
    assert "mô tả" in page.type("so 36 Ba Trieu, phuong Vy Da")
    photo = page.type(f"den tat 3 dem roi {MARKUP} xem https://example.com/den-36")
    assert "ảnh" in photo
    page.tap("Bỏ qua")  # no photo
    readback = page.type("bo qua")  # no phone number either
    assert "36 Ba Trieu" in readback and "Gửi phản ánh?" in readback, readback

    # The description comes back in the read-back: its markup is text, never code.
    assert MARKUP in readback
    assert browser.execute_script("return window.__pwned === undefined")
    assert browser.find_elements(page.by.CSS_SELECTOR, "#log img") == []
    links = browser.find_elements(page.by.CSS_SELECTOR, "#log a")
    assert [a.get_attribute("href") for a in links][-1] == "https://example.com/den-36"

    confirm = next(
        b.text
        for b in browser.find_elements(page.by.CSS_SELECTOR, "#log .choice")
        if b.is_enabled()
    )
    done = page.tap(confirm)
    if "Vẫn gửi phản ánh mới" in done:  # another test filed the same problem: file anyway
        done = page.tap("Vẫn gửi phản ánh mới")
    code = CODE_RE.search(done).group(0)
    sender = browser.execute_script("return sessionStorage.getItem('hue-assist.sender')")
    with stack.store() as store:
        report = store.get_report(code)
    assert report["service_code"] == "streetlight" and report["channel"] == "web"
    assert "den tat 3 dem roi" in report["description"]

    # A reload keeps the conversation on screen and the same sender id (in this tab only:
    # issue 15, nothing of it in localStorage for the next person at a shared computer).
    browser.refresh()
    page.wait_until(lambda d: code in page.text())
    assert browser.execute_script("return sessionStorage.getItem('hue-assist.sender')") == sender
    assert browser.execute_script("return localStorage.getItem('hue-assist.sender')") is None
    status = page.type(f"kiem tra {code}")
    assert code in status and "Đã tiếp nhận" in status


def test_a_finished_conversation_is_forgotten(browser, gateway):
    page = Page(browser, gateway.url + "/")
    page.type("xin chao")
    sender = browser.execute_script("return sessionStorage.getItem('hue-assist.sender')")
    browser.execute_script("localStorage.setItem('hue-assist.sender', 'left-by-an-old-page')")
    # 31 minutes without a message: the conversation is over.
    browser.execute_script(
        "sessionStorage.setItem('hue-assist.active', String(Date.now() - 31 * 60 * 1000))"
    )
    browser.refresh()
    page.wait_until(lambda d: "Xin chào! Tôi là trợ lý ảo" in page.text())
    assert "xin chao" not in page.text()
    assert browser.execute_script("return sessionStorage.getItem('hue-assist.sender')") != sender
    assert browser.execute_script("return localStorage.getItem('hue-assist.sender')") is None


def test_typed_markup_shows_as_text(browser, gateway):
    page = Page(browser, gateway.url + "/")
    page.type(f"{MARKUP} xin chao")
    assert page.said(-2) == f"Bạn: {MARKUP} xin chao"
    assert browser.execute_script("return window.__pwned === undefined")
    assert browser.find_elements(page.by.CSS_SELECTOR, "#log img, #log script") == []


def test_assistant_down_is_explained_kindly_and_nothing_is_lost(browser, tmp_path):
    from selenium.webdriver.support import expected_conditions as EC

    env = {"HUE_ASSIST_HOME": str(tmp_path), "RASA_URL": "http://127.0.0.1:9"}
    with running_gateway(env) as down:
        page = Page(browser, down.url + "/")
        answer = page.type("den duong hong o Vy Da")
        assert "tạm thời gián đoạn" in answer and "1900 1075" in answer
        assert "Chưa gửi được" in page.rows()[-2].text
        assert "den duong hong o Vy Da" in page.rows()[-2].text
        retry = page.choice("Gửi lại")
        assert retry.is_displayed()
        assert page.choice("Phản ánh sự cố")  # the choices offered before are live again
        link = browser.find_elements(page.by.CSS_SELECTOR, "#log .error a")[-1]
        assert link.get_attribute("href") == "tel:19001075"
        # Retrying while still down replaces the failed attempt with a fresh one, as kind.
        retry.click()
        page.wait_until(EC.staleness_of(retry))
        page.wait_until(lambda d: d.find_element(page.by.ID, "typing").text == "")
        assert "tạm thời gián đoạn" in page.rows()[-1].text
        assert page.text().count("den duong hong o Vy Da") == 1
