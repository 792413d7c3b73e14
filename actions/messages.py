"""Texts the actions send, in Vietnamese and English, with their buttons.

Responses used directly by rules live in domain.yml; these are sent from code (form
questions, fallbacks, hand-over), so they are kept beside the code that sends them.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

HOTLINE = "19001075"


def _category_buttons(lang: str) -> list[dict[str, str]]:
    names = {
        "streetlight": ("Đèn đường", "Street light"),
        "road_damage": ("Đường hư hỏng", "Road damage"),
        "garbage": ("Rác thải", "Garbage"),
        "flooding": ("Ngập, cống", "Flooding"),
    }
    return [
        {
            "title": en if lang == "en" else vi,
            "payload": f'/report_incident{{"category": "{code}"}}',
        }
        for code, (vi, en) in names.items()
    ]


def _skip(lang: str) -> list[dict[str, str]]:
    return [{"title": "Skip" if lang == "en" else "Bỏ qua", "payload": "/deny"}]


def _urgent_place(lang: str) -> list[dict[str, str]]:
    """Unknown place (file without it) or no report at all ("hủy" cancels the form)."""
    return [
        {"title": "I don't know" if lang == "en" else "Không rõ địa điểm", "payload": "/deny"},
        {"title": "Don't send" if lang == "en" else "Không gửi", "payload": "hủy"},
    ]


TEXTS: dict[str, tuple[str, str]] = {
    "ask_category": (
        "Bạn muốn phản ánh loại sự cố nào? Ví dụ: đèn đường, hư hỏng mặt đường, rác thải, "
        "ngập úng/cống, cây xanh, lấn chiếm vỉa hè, đèn giao thông, mất nước, mất điện, tiếng "
        "ồn, an ninh, cháy/đốt rơm rạ, hoặc vấn đề khác.",
        "What kind of problem is it? For example: street light, road damage, garbage, "
        "flooding/drains, trees, pavement encroachment, traffic lights, water supply, power "
        "outage, noise, security, fire/burning, or other.",
    ),
    "ask_location": (
        "Sự cố ở đâu ạ? Bạn ghi số nhà, tên đường hoặc địa điểm gần đó, và phường/xã nếu biết "
        "(ví dụ: 12 Lê Lợi, phường Thuận Hóa). Bạn cũng có thể gửi vị trí.",
        "Where is it? Please give the house number and street or a nearby landmark, and the "
        "ward if you know it (e.g. 12 Le Loi, Thuan Hoa ward). You can also share your location.",
    ),
    "ask_description": (
        "Bạn mô tả ngắn gọn sự cố giúp mình (tình trạng, từ khi nào, mức độ nguy hiểm).",
        "Please describe the problem briefly (what is wrong, since when, how dangerous).",
    ),
    "ask_photo": (
        'Bạn có ảnh hiện trường không? Gửi ảnh (hoặc đường dẫn ảnh), hoặc bấm "Bỏ qua".',
        'Do you have a photo? Send it (or a link to it), or tap "Skip".',
    ),
    "ask_phone": (
        "Số điện thoại để cán bộ liên hệ khi cần (không bắt buộc, chỉ dùng cho phản ánh này)? "
        'Hoặc bấm "Bỏ qua".',
        "A phone number so staff can reach you if needed (optional, used only for this "
        'report)? Or tap "Skip".',
    ),
    "ask_location_urgent": (
        "Khi đã an toàn: sự việc ở đâu? (số nhà, đường, phường/xã, hoặc gửi vị trí) Mình sẽ báo "
        "ngay cho Trung tâm điều hành của thành phố.",
        "Once you are safe: where is it? (house number, street, ward, or share your location) "
        "I will alert the city's operations centre at once.",
    ),
    "ask_phone_urgent": (
        "Số điện thoại để lực lượng chức năng gọi lại khi cần (không bắt buộc)?",
        "A phone number so responders can call you back (optional)?",
    ),
    "ask_report_id": (
        "Bạn cho mình mã phản ánh nhé (dạng PA-2026-000123, có trong tin nhắn xác nhận khi gửi).",
        "Please give me the report's tracking code (like PA-2026-000123, from the "
        "confirmation message).",
    ),
    "report_cancelled": (
        "Đã hủy phản ánh, chưa có gì được gửi đi. Khi cần bạn cứ nhắn lại nhé.",
        "The report is cancelled; nothing was sent. Message me whenever you need.",
    ),
    "anything_else": ("Bạn cần hỏi gì thêm?", "Anything else I can help with?"),
    "handover": (
        "Mình đã chuyển cuộc trò chuyện cho tổng đài viên; họ sẽ trả lời bạn tại đây sớm nhất "
        f"có thể. Nếu cần gấp, bạn gọi tổng đài {HOTLINE}.",
        "I've passed this conversation to a human operator, who will reply here as soon as "
        f"possible. If it is urgent, call the {HOTLINE} hotline.",
    ),
    "ask_rephrase": (
        "Xin lỗi, mình chưa hiểu ý bạn. Bạn có thể nói lại theo cách khác không?",
        "Sorry, I didn't quite understand. Could you say it another way?",
    ),
    "default": (
        f"Mình vẫn chưa hiểu được. Bạn có thể gọi tổng đài {HOTLINE} để được tổng đài viên hỗ trợ.",
        f"I still can't understand, sorry. Please call the {HOTLINE} hotline to talk to an "
        "operator.",
    ),
}

BUTTONS = {
    "ask_category": _category_buttons,
    "ask_photo": _skip,
    "ask_phone": _skip,
    "ask_location_urgent": _urgent_place,
    "ask_phone_urgent": _skip,
}


def render(key: str, lang: str) -> dict[str, Any]:
    """Keyword arguments for ``utter_message``: the text (and buttons) in ``lang``."""
    vi, en = TEXTS[key]
    message: dict[str, Any] = {"text": en if lang == "en" else vi}
    if key in BUTTONS:
        message["buttons"] = BUTTONS[key](lang)
    return message


def send(dispatcher: CollectingDispatcher, key: str, lang: str) -> None:
    dispatcher.utter_message(**render(key, lang))
