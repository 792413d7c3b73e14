"""The first stage of the two-stage fallback: "did you mean …?" in the citizen's words."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import language, say

INTENT_LABELS = {
    "greet": ("Chào hỏi", "Saying hello"),
    "goodbye": ("Tạm biệt", "Saying goodbye"),
    "thank": ("Cảm ơn", "Saying thanks"),
    "affirm": ("Đồng ý", "Yes"),
    "deny": ("Không đồng ý", "No"),
    "ask_info": ("Hỏi thông tin về dịch vụ, thủ tục", "A question about a city service"),
    "report_incident": ("Gửi phản ánh hiện trường", "Reporting a problem"),
    "check_status": ("Tra cứu tình trạng phản ánh", "Checking a report's status"),
    "give_feedback": ("Đánh giá kết quả xử lý", "Rating how a report was handled"),
    "request_human": ("Gặp tổng đài viên", "Talking to a person"),
    "bot_challenge": ("Hỏi về trợ lý ảo", "Asking if I'm a bot"),
}


class ActionDefaultAskAffirmation(Action):
    """Offer the most likely meaning as a button, or "something else"."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = language(tracker)
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        candidates = [r["name"] for r in ranking if r.get("name") in INTENT_LABELS][:2]
        buttons = []
        for intent in candidates:
            vi, en = INTENT_LABELS[intent]
            buttons.append({"title": say(lang, vi, en), "payload": f"/{intent}"})
        buttons.append(
            {"title": say(lang, "Việc khác", "Something else"), "payload": "/out_of_scope"}
        )
        dispatcher.utter_message(
            text=say(lang, "Có phải ý bạn là:", "Did you mean:"), buttons=buttons
        )
        return []
