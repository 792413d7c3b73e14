"""What a citizen in danger is told first, in Vietnamese and English, side by side.

The number comes first and plainly, then one line of what to do now. Huế's numbers are the
national ones (113 police, 114 fire and rescue, 115 ambulance); a city disaster line is added
only where ``EMERGENCY_DISASTER_LINE`` configures one.
"""

from __future__ import annotations

from bot.domain.emergency import Alert

SERVICES = {
    "113": ("Công an", "police"),
    "114": ("Cứu hỏa, cứu nạn cứu hộ", "fire and rescue"),
    "115": ("Cấp cứu", "ambulance"),
}

# One line of what to do now, per kind: general safety advice, no promise of who comes.
ADVICE: dict[str, tuple[str, str]] = {
    "fire": (
        "Rời khỏi nơi cháy ngay, cúi thấp tránh khói, không quay lại lấy đồ.",
        "Get out now, stay low under the smoke, and do not go back for belongings.",
    ),
    "gas_explosion": (
        "Không bật tắt điện, không dùng lửa; khóa van gas nếu an toàn, mở cửa và ra ngoài.",
        "Do not touch switches or use any flame; shut the gas valve if safe, open doors, get out.",
    ),
    "electrocution": (
        "Ngắt cầu dao điện trước; không chạm tay trần vào người bị nạn hay dây điện.",
        "Cut the power first; do not touch the person or the wire with bare hands.",
    ),
    "medical": (
        "Ở bên người bị nạn, không tự ý di chuyển họ; ấn chặt lên vết thương đang chảy máu.",
        "Stay with the person and do not move them unless they are in danger; press firmly "
        "on any bleeding.",
    ),
    "drowning": (
        "Ném phao, dây hoặc vật nổi cho người đuối nước; đừng nhảy xuống nếu bạn không biết "
        "cứu đuối.",
        "Throw a float, a rope or anything that floats; do not jump in unless you are trained.",
    ),
    "trapped": (
        "Nếu đang bị kẹt: ở nơi cao và an toàn, gọi to hoặc gõ để báo vị trí, giữ pin điện thoại.",
        "If you are trapped: stay somewhere high and safe, shout or knock to show where you "
        "are, save your phone battery.",
    ),
    "violence": (
        "Đến nơi an toàn trước, tránh đối đầu; nếu có người bị thương, gọi thêm 115.",
        "Get to a safe place first and avoid confrontation; if anyone is hurt, also call 115.",
    ),
    "distress": (
        "Nếu có người đang gặp nguy hiểm, hãy gọi số phù hợp ở trên ngay.",
        "If someone is in danger, call the right number above now.",
    ),
}


def _say(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


def call_line(alert: Alert, lang: str) -> str:
    """ "GỌI NGAY 114 (Cứu hỏa, cứu nạn cứu hộ)", with any other number after it."""
    names = [f"{n} ({_say(lang, *SERVICES[n])})" if n in SERVICES else n for n in alert.numbers]
    first, rest = names[0], names[1:]
    if alert.kind == "distress":
        return _say(lang, "🚨 GỌI NGAY: ", "🚨 CALL NOW: ") + ", ".join(names)
    line = _say(lang, f"🚨 GỌI NGAY {first}", f"🚨 CALL {first} NOW")
    if rest:
        line += _say(lang, "; và ", "; and ") + ", ".join(rest)
    return line + "."


def alert_text(alert: Alert, lang: str, disaster_line: str | None = None) -> str:
    """The first reply to an emergency: the number, then what to do now."""
    lines = [call_line(alert, lang), _say(lang, *ADVICE[alert.kind])]
    if disaster_line and alert.kind in ("trapped", "drowning"):
        lines.append(
            _say(
                lang,
                f"Đường dây phòng chống thiên tai của thành phố: {disaster_line}.",
                f"The city's disaster line: {disaster_line}.",
            )
        )
    return "\n".join(lines)


REMINDER = (
    "Nếu chưa gọi, hãy gọi {number} ngay.",
    "If you have not called yet, call {number} now.",
)
