"""Every text a citizen sees that is sent from code, Vietnamese and English side by side.

Rasa's own responses (greetings, thanks, …) live in ``domain.yml``, each with an English
variant; everything the actions, the gateway and the domain send from code lives here, one
key per text: ``TEXTS[key] = (vi, en)``. Values go in ``str.format`` placeholders
(``{code}``), the same ones in both languages (``tests/test_texts.py`` checks that every
text has both). Category names stay in ``bot/domain/categories.py``: they are the service
catalogue, which Open311 publishes too.

``text(key, lang, **values)`` is the text in the citizen's language; ``both(key, **values)``
says it in both, for the gateway's own replies, sent when the citizen's language is not
known. A leaf: standard library only (the Rasa environment imports it too, in Python 3.10).
"""

from __future__ import annotations

import re
import string
from functools import cache

HOTLINE = "19001075"
LANGUAGES = ("vi", "en")

TEXTS: dict[str, tuple[str, str]] = {
    # -- the report form's questions (actions/questions.py), with their buttons -----------
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
    "urgent_place_heard": ("Địa điểm: {place}.", "Place: {place}."),
    "button_category_streetlight": ("Đèn đường", "Street light"),
    "button_category_road_damage": ("Đường hư hỏng", "Road damage"),
    "button_category_garbage": ("Rác thải", "Garbage"),
    "button_category_flooding": ("Ngập, cống", "Flooding"),
    "button_skip": ("Bỏ qua", "Skip"),
    "button_place_unknown": ("Không rõ địa điểm", "I don't know"),
    "button_dont_send": ("Không gửi", "Don't send"),
    # -- the report form's answers (actions/report_form.py) -------------------------------
    "report_cancelled": (
        "Đã hủy phản ánh, chưa có gì được gửi đi. Khi cần bạn cứ nhắn lại nhé.",
        "The report is cancelled; nothing was sent. Message me whenever you need.",
    ),
    "urgent_cancelled": (
        "Mình không gửi báo cáo. Hãy giữ an toàn; cần thì gọi {number} ngay.",
        "Nothing is sent. Stay safe, and call {number} if you need to.",
    ),
    "second_problem": (
        "Bạn đang gửi phản ánh về {current}. Còn sự cố mới ({new}): mình ghi thành "
        "phản ánh riêng sau phản ánh này, hay thay thế phản ánh đang ghi?",
        "You are reporting {current}. The new problem ({new}): shall I file it as a "
        "second report after this one, or replace the current one?",
    ),
    "button_second_both": ("Gửi cả hai", "File both"),
    "button_second_replace": ("Thay bằng sự cố mới", "Replace with the new one"),
    "button_second_keep": ("Bỏ qua sự cố mới", "Ignore the new one"),
    "second_problem_queued": (
        "Được, xong phản ánh này mình ghi tiếp phản ánh thứ hai.",
        "Fine: once this report is done, I'll take the second one.",
    ),
    "category_not_recognised": (
        "Mình chưa nhận ra loại sự cố. Bạn chọn một loại bên dưới hoặc ghi ngắn "
        "gọn (ví dụ: đèn đường, ổ gà, rác, ngập, cây đổ, mất nước…).",
        "I didn't recognise the kind of problem. Pick one below or name it "
        "briefly (street light, pothole, garbage, flooding, fallen tree…).",
    ),
    "ward_not_found": (
        'Mình không tìm thấy phường/xã "{ward}" trong 40 phường, xã của '
        "Huế. Bạn kiểm tra lại tên giúp mình.",
        '"{ward}" is not one of Huế\'s 40 wards and communes. Please check the name.',
    ),
    "place_too_short": (
        "Địa điểm cần cụ thể hơn một từ: số nhà và tên đường, hoặc một địa danh "
        "gần đó (ví dụ: 12 Lê Lợi; trước chợ Đông Ba).",
        "Please give more than one word: house number and street, or a nearby "
        "landmark (e.g. 12 Le Loi; in front of Dong Ba market).",
    ),
    "description_too_long": (
        "Mô tả dài quá {limit} ký tự, mình giữ phần đầu.",
        "The description is over {limit} characters; I kept the start.",
    ),
    "photo_missing": (
        'Mình chưa nhận được ảnh. Bạn gửi ảnh hoặc bấm "Bỏ qua".',
        'I didn\'t get a photo. Send one, or tap "Skip".',
    ),
    "phone_invalid": (
        'Số điện thoại chưa đúng dạng (ví dụ 0905 123 456). Bạn nhập lại hoặc bấm "Bỏ qua".',
        'That doesn\'t look like a phone number (e.g. 0905 123 456). Try again or tap "Skip".',
    ),
    # The place of an urgent report the citizen could not give; stored with the report.
    "unknown_place": ("chưa rõ địa điểm", "place not known"),
    # the read-back before filing
    "readback": ("Mình đọc lại phản ánh của bạn:", "Here is your report:"),
    "label_type": ("Loại", "Type"),
    "label_place": ("Địa điểm", "Place"),
    "label_description": ("Mô tả", "Description"),
    "label_photo": ("Ảnh", "Photo"),
    "label_phone": ("Số điện thoại", "Phone"),
    "label_none": ("không có", "none"),
    "readback_question": (
        "Thông tin đã đúng chưa? Gửi phản ánh?",
        "Is this right? Send the report?",
    ),
    "button_send": ("Đúng, gửi đi", "Yes, send it"),
    "button_change": ("Sửa lại", "Change something"),
    # the correction prompt after "no" at the read-back
    "correction": (
        'Bạn muốn sửa mục nào? (Hoặc nhắn "hủy" để bỏ phản ánh này.)',
        'Which part should I change? (Or write "cancel" to drop this report.)',
    ),
    "button_edit_category": ("Loại sự cố", "Type"),
    "button_edit_location": ("Địa điểm", "Place"),
    "button_edit_description": ("Mô tả", "Description"),
    "button_edit_photo": ("Ảnh", "Photo"),
    "button_edit_phone": ("Số điện thoại", "Phone"),
    # an open report of the same problem at the same place
    "duplicate_offer": (
        "Sự việc này có vẻ đã được phản ánh: {code} ({address}, {state}). Bạn theo dõi phản "
        "ánh đó thay vì gửi mới nhé?",
        "This looks already reported as {code} ({address}, {state}). Follow it instead of "
        "filing a new one?",
    ),
    "button_follow": ("Theo dõi {code}", "Follow {code}"),
    "button_file_new": ("Vẫn gửi phản ánh mới", "File a new one"),
    "report_followed": (
        "Đã ghi nhận. Bạn sẽ được báo khi phản ánh {code} có cập nhật.",
        "Done. You will be told when report {code} changes.",
    ),
    # filing
    "report_failed": (
        f"Xin lỗi, phản ánh chưa gửi được. Bạn thử lại hoặc gọi {HOTLINE}.",
        f"Sorry, the report could not be filed. Please try again or call {HOTLINE}.",
    ),
    "report_filed": (
        'Đã gửi phản ánh. Mã theo dõi của bạn: {code}. Bạn nhắn "kiểm tra {code}" '
        "bất cứ lúc nào để xem tình trạng xử lý. Phản ánh được công khai trên cổng phản ánh "
        "của thành phố, không kèm số điện thoại hay thông tin liên hệ của bạn.",
        'Your report is filed. Tracking code: {code}. Write "status {code}" any time to follow '
        "it. Reports are published on the city's public feed, without your phone number or "
        "contact details.",
    ),
    # Zalo lets the city write back only within 7 days of the citizen's last message
    # (bot/domain/messaging_window.py): told at filing, one of three ways.
    "zalo_progress_template": (
        "Tiến độ xử lý sẽ được báo qua Zalo này. Nếu bạn không nhắn tin cho chúng tôi quá "
        "7 ngày, Zalo chỉ cho phép gửi bạn tin thông báo (ZNS) về phản ánh {code}.",
        "You will hear about progress here on Zalo. If you have not written to us for over "
        "7 days, Zalo only lets us send you a notification message (ZNS) about report {code}.",
    ),
    "zalo_progress_call": (
        "Tiến độ xử lý sẽ được báo qua Zalo này. Nếu bạn không nhắn tin cho chúng tôi quá "
        "7 ngày, Zalo không cho phép chúng tôi nhắn lại; khi đó cán bộ sẽ gọi vào số điện "
        "thoại bạn đã để lại về phản ánh {code}.",
        "You will hear about progress here on Zalo. If you have not written to us for over "
        "7 days, Zalo does not let us write to you; staff will then call the phone number "
        "you gave about report {code}.",
    ),
    "zalo_progress_ask": (
        "Tiến độ xử lý sẽ được báo qua Zalo này trong 7 ngày kể từ tin nhắn cuối của bạn; "
        'sau đó Zalo không cho phép chúng tôi nhắn lại. Bạn nhắn "kiểm tra {code}" bất cứ '
        "lúc nào để xem tình trạng.",
        "You will hear about progress here on Zalo within 7 days of your last message; after "
        'that Zalo does not let us write to you. Write "status {code}" any time to check.',
    ),
    "urgent_filed": (
        "Đã báo khẩn cho Trung tâm điều hành của thành phố. Mã: {code}. Nếu chưa gọi, "
        "hãy gọi {number} ngay. (Phản ánh được công khai, không kèm thông tin liên hệ.)",
        "The city's operations centre is alerted. Code: {code}. If you have not called "
        "yet, call {number} now. (Reports are published without contact details.)",
    ),
    "second_report_next": (
        "Giờ đến phản ánh thứ hai: {category}.",
        "Now the second report: {category}.",
    ),
    # -- following a report (actions/status.py, actions/messages.describe) ---------------
    "status_heading": (
        "Phản ánh {code} ({category}, {address}):",
        "Report {code} ({category}, {address}):",
    ),
    "label_status": ("Tình trạng", "Status"),
    "label_filed": ("Gửi lúc", "Filed"),
    "label_department": ("Đơn vị xử lý", "Department"),
    "label_expected": ("Dự kiến xong", "Expected by"),
    "label_note": ("Ghi chú", "Note"),
    "label_followed_under": ("Theo dõi ở", "Followed under"),
    "status_ask_rating": (
        "Phản ánh đã đóng. Bạn hài lòng với kết quả không? Chấm từ 1 đến 5 sao nhé.",
        "This report is closed. How satisfied are you with the result, from 1 to 5?",
    ),
    "code_invalid": (
        "Mã chưa đúng dạng. Mã phản ánh có dạng PA-2026-000123.",
        "That is not a tracking code. Codes look like PA-2026-000123.",
    ),
    "report_not_found": (
        f"Không tìm thấy phản ánh {{code}}. Bạn kiểm tra lại mã, hoặc gọi {HOTLINE}.",
        f"No report {{code}} was found. Please check the code, or call {HOTLINE}.",
    ),
    # -- report states (bot/domain/lifecycle.py) ------------------------------------------
    "state_received": ("Đã tiếp nhận", "Received"),
    "state_assigned": ("Đã chuyển đơn vị xử lý", "Assigned to a department"),
    "state_in_progress": ("Đang xử lý", "In progress"),
    "state_resolved": ("Đã xử lý xong", "Resolved"),
    "state_rejected": ("Không thuộc phạm vi xử lý", "Rejected"),
    "state_duplicate": ("Trùng với phản ánh khác", "Duplicate of another report"),
    # -- a report changed state (bot/domain/notifications.py) ----------------------------
    "notify_state": ("Phản ánh {code}: {state}.", "Report {code}: {state}."),
    "notify_department": ("Đơn vị xử lý: {agency}.", "Department: {agency}."),
    "notify_note": ("Ghi chú: {note}", "Note: {note}"),
    "notify_duplicate": (
        "Sự việc được theo dõi ở phản ánh {code}.",
        "It is followed under {code}.",
    ),
    "notify_ask_rating": (
        "Bạn hài lòng với kết quả xử lý không? Chấm từ 1 đến 5 sao nhé.",
        "How satisfied are you with the result? Rate it from 1 to 5.",
    ),
    # -- feedback (actions/feedback.py) ---------------------------------------------------
    "feedback_no_report": (
        "Cảm ơn góp ý của bạn! Mình chưa thấy phản ánh nào của bạn để gắn đánh "
        "giá; nếu có mã phản ánh (PA-…), bạn gửi kèm giúp mình.",
        "Thanks for the feedback! I found no report of yours to attach it to; "
        "if you have a tracking code (PA-…), please include it.",
    ),
    "feedback_not_yours": (
        "Xin lỗi, chỉ người gửi hoặc người đang theo dõi phản ánh {code} mới đánh giá được "
        "phản ánh này. Nếu bạn gặp sự cố tương tự, bạn có thể gửi phản ánh mới.",
        "Sorry, only the person who filed report {code}, or someone following it, can rate "
        "it. If you have the same problem, you can file a report of your own.",
    ),
    "feedback_not_closed": (
        "Phản ánh {code} vẫn đang được xử lý; bạn đánh giá được khi phản ánh đã đóng nhé. "
        "Cảm ơn bạn!",
        "Report {code} is still being handled; you can rate it once it is closed. Thank you!",
    ),
    "feedback_already_rated": (
        "Phản ánh {code} đã được một người theo dõi khác đánh giá. Cảm ơn góp ý của bạn!",
        "Report {code} has already been rated by another follower. Thank you for your feedback!",
    ),
    "feedback_ask_rating": (
        "Bạn chấm phản ánh {code} mấy sao (1–5)?",
        "How many stars (1–5) for report {code}?",
    ),
    "feedback_thanks": (
        "Cảm ơn bạn đã đánh giá {rating}/5 cho phản ánh {code}. "
        "Ý kiến của bạn giúp thành phố phục vụ tốt hơn.",
        "Thank you for rating report {code} {rating}/5. Your opinion helps the city do better.",
    ),
    # -- questions about city services (actions/info.py) ---------------------------------
    "kb_source": ("Nguồn: {url}", "Source: {url}"),
    "anything_else": ("Bạn cần hỏi gì thêm?", "Anything else I can help with?"),
    "button_report_now": ("Gửi phản ánh ngay", "Report a problem now"),
    "kb_not_sure": (
        "Mình chưa chắc đã hiểu đúng câu hỏi. Có phải bạn hỏi về một trong các chủ đề "
        "dưới đây? Nếu không, bạn gọi tổng đài {hotline} để được hỗ trợ.",
        "I'm not sure I understood. Is it one of the topics below? If not, please call "
        "the {hotline} hotline.",
    ),
    "kb_no_answer": (
        "Xin lỗi, mình chưa có thông tin về câu hỏi này. Bạn gọi tổng đài "
        "{hotline} để được tổng đài viên giải đáp nhé.",
        "Sorry, I don't have information on that. Please call the {hotline} "
        "hotline to ask an operator.",
    ),
    # -- not understood, a human (actions/fallback.py, questions.py, handover.py) --------
    "did_you_mean": ("Có phải ý bạn là:", "Did you mean:"),
    "button_something_else": ("Việc khác", "Something else"),
    "intent_greet": ("Chào hỏi", "Saying hello"),
    "intent_goodbye": ("Tạm biệt", "Saying goodbye"),
    "intent_thank": ("Cảm ơn", "Saying thanks"),
    "intent_affirm": ("Đồng ý", "Yes"),
    "intent_deny": ("Không đồng ý", "No"),
    "intent_ask_info": ("Hỏi thông tin về dịch vụ, thủ tục", "A question about a city service"),
    "intent_report_incident": ("Gửi phản ánh hiện trường", "Reporting a problem"),
    "intent_check_status": ("Tra cứu tình trạng phản ánh", "Checking a report's status"),
    "intent_give_feedback": ("Đánh giá kết quả xử lý", "Rating how a report was handled"),
    "intent_request_human": ("Gặp tổng đài viên", "Talking to a person"),
    "intent_bot_challenge": ("Hỏi về trợ lý ảo", "Asking if I'm a bot"),
    "ask_rephrase": (
        "Xin lỗi, mình chưa hiểu ý bạn. Bạn có thể nói lại theo cách khác không?",
        "Sorry, I didn't quite understand. Could you say it another way?",
    ),
    "default": (
        f"Mình vẫn chưa hiểu được. Bạn có thể gọi tổng đài {HOTLINE} để được tổng đài viên hỗ trợ.",
        f"I still can't understand, sorry. Please call the {HOTLINE} hotline to talk to an "
        "operator.",
    ),
    "handover": (
        "Mình đã chuyển cuộc trò chuyện cho tổng đài viên; họ sẽ trả lời bạn tại đây sớm nhất "
        "có thể (thường trong khoảng {minutes} phút). Nếu cần gấp, bạn gọi tổng đài "
        f"{HOTLINE}.",
        "I've passed this conversation to a human operator, who will reply here as soon as "
        f"possible (usually within {{minutes}} minutes). If it is urgent, call the {HOTLINE} "
        "hotline.",
    ),
    # -- a conversation with an operator (bot/domain/handover.py) -------------------------
    "handover_after_hours": (
        "Hiện đang ngoài giờ làm việc của tổng đài viên nên chưa ai trả lời bạn tại đây được. "
        f"{{when}} Nếu cần gấp, bạn gọi tổng đài {HOTLINE}. Mình vẫn hỗ trợ bạn: bạn có thể "
        "gửi phản ánh hoặc hỏi thông tin ngay tại đây.",
        "Our operators are not at work now, so nobody can reply here yet. "
        f"{{when}} If it is urgent, call the {HOTLINE} hotline. I can still help: you can file "
        "a report or ask a question right here.",
    ),
    "handover_next_opening": (
        "Tổng đài viên sẽ làm việc lại từ {time} ngày {date}.",
        "They will be back at {time} on {date}.",
    ),
    "handover_no_opening": (
        "Bạn vui lòng gọi tổng đài {hotline}.",
        "Please call the {hotline} hotline.",
    ),
    "handover_wait": (
        "Tin nhắn của bạn đã được chuyển cho tổng đài viên, bạn vui lòng chờ (thường trong "
        f"khoảng {{minutes}} phút). Nếu cần gấp, bạn gọi tổng đài {HOTLINE}.",
        "Your message has been passed to an operator: please wait (usually within "
        f"{{minutes}} minutes). If it is urgent, call the {HOTLINE} hotline.",
    ),
    "handover_timeout": (
        "Xin lỗi, hiện chưa có tổng đài viên nào trả lời được bạn. Bạn có thể gọi tổng đài "
        f"{HOTLINE}, hoặc tiếp tục với trợ lý ảo: mình đã sẵn sàng hỗ trợ bạn.",
        "Sorry, no operator is free to reply to you now. You can call the "
        f"{HOTLINE} hotline, or carry on with me, the virtual assistant: I'm ready to help.",
    ),
    "handover_office_closed": (
        "Xin lỗi, tổng đài viên đã hết giờ làm việc nên chưa trả lời được bạn. {when} "
        f"Nếu cần gấp, bạn gọi tổng đài {HOTLINE}. Trợ lý ảo tiếp tục hỗ trợ bạn tại đây.",
        "Sorry, our operators have finished for the day and could not reply. {when} If it "
        f"is urgent, call the {HOTLINE} hotline. I, the virtual assistant, can help you here.",
    ),
    "handover_released": (
        "Tổng đài viên đã chuyển bạn lại cho trợ lý ảo. Bạn cần gì cứ nhắn mình nhé.",
        "The operator has passed you back to me, the virtual assistant. Just write if you "
        "need anything.",
    ),
    "handover_closed": (
        "Tổng đài viên đã kết thúc cuộc trò chuyện. Cảm ơn bạn! Khi cần, bạn cứ nhắn lại: "
        "trợ lý ảo luôn sẵn sàng.",
        "The operator has closed this conversation. Thank you! Write again any time: the "
        "virtual assistant is always here.",
    ),
    # -- a person in danger (bot/domain/emergency.py: call_line, alert_text) -------------
    # The number first and plainly, then one line of what to do now: general safety
    # advice, no promise of who comes. 113 police, 114 fire and rescue, 115 ambulance.
    "service_113": ("Công an", "police"),
    "service_114": ("Cứu hỏa, cứu nạn cứu hộ", "fire and rescue"),
    "service_115": ("Cấp cứu", "ambulance"),
    "call_now": ("🚨 GỌI NGAY {number}", "🚨 CALL {number} NOW"),
    "call_also": ("; và {numbers}", "; and {numbers}"),
    "call_any": ("🚨 GỌI NGAY: {numbers}", "🚨 CALL NOW: {numbers}"),
    "advice_fire": (
        "Rời khỏi nơi cháy ngay, cúi thấp tránh khói, không quay lại lấy đồ.",
        "Get out now, stay low under the smoke, and do not go back for belongings.",
    ),
    "advice_gas_explosion": (
        "Không bật tắt điện, không dùng lửa; khóa van gas nếu an toàn, mở cửa và ra ngoài.",
        "Do not touch switches or use any flame; shut the gas valve if safe, open doors, get out.",
    ),
    "advice_electrocution": (
        "Ngắt cầu dao điện trước; không chạm tay trần vào người bị nạn hay dây điện.",
        "Cut the power first; do not touch the person or the wire with bare hands.",
    ),
    "advice_medical": (
        "Ở bên người bị nạn, không tự ý di chuyển họ; ấn chặt lên vết thương đang chảy máu.",
        "Stay with the person and do not move them unless they are in danger; press firmly "
        "on any bleeding.",
    ),
    "advice_drowning": (
        "Ném phao, dây hoặc vật nổi cho người đuối nước; đừng nhảy xuống nếu bạn không biết "
        "cứu đuối.",
        "Throw a float, a rope or anything that floats; do not jump in unless you are trained.",
    ),
    "advice_trapped": (
        "Nếu đang bị kẹt: ở nơi cao và an toàn, gọi to hoặc gõ để báo vị trí, giữ pin điện thoại.",
        "If you are trapped: stay somewhere high and safe, shout or knock to show where you "
        "are, save your phone battery.",
    ),
    "advice_violence": (
        "Đến nơi an toàn trước, tránh đối đầu; nếu có người bị thương, gọi thêm 115.",
        "Get to a safe place first and avoid confrontation; if anyone is hurt, also call 115.",
    ),
    "advice_distress": (
        "Nếu có người đang gặp nguy hiểm, hãy gọi số phù hợp ở trên ngay.",
        "If someone is in danger, call the right number above now.",
    ),
    "disaster_line": (
        "Đường dây phòng chống thiên tai của thành phố: {number}.",
        "The city's disaster line: {number}.",
    ),
    "urgent_reminder": (
        "Nếu chưa gọi, hãy gọi {number} ngay.",
        "If you have not called yet, call {number} now.",
    ),
    "urgent_report_dropped": (
        "(Phản ánh bạn đang ghi dở chưa được gửi; khi đã an toàn, bạn nhắn lại nhé.)",
        "(The report you were writing was not sent; write again once you are safe.)",
    ),
    # -- the gateway's own replies (bot/gateway: worker, web), sent with ``both`` ---------
    "voice_not_heard": (
        "Mình chưa nghe rõ tin nhắn thoại của bạn. Bạn vui lòng nhắn bằng chữ nhé.",
        "I could not make out your voice message: please type it.",
    ),
    "message_failed": (
        "Xin lỗi, mình chưa xử lý được tin nhắn này. Bạn gửi lại theo cách khác, hoặc gọi "
        f"tổng đài {HOTLINE} nhé.",
        f"Sorry, I could not handle this message: please rephrase it, or call {HOTLINE}.",
    ),
    "photo_not_opened": (
        "Mình không mở được ảnh bạn gửi. Bạn gửi lại giúp mình nhé.",
        "I could not open your photo: please send it again.",
    ),
    "unavailable": (
        "Xin lỗi, trợ lý đang tạm thời gián đoạn. Bạn vui lòng thử lại sau ít phút "
        "hoặc gọi tổng đài 1900 1075.",
        "The assistant is temporarily unavailable.",
    ),
    "message_too_long": (
        "Tin nhắn dài quá {limit} ký tự, bạn vui lòng rút gọn",
        "message over {limit} characters",
    ),
    # A voice note's transcript, said back so that a misheard note is noticed.
    "heard": ("🎙️ Mình nghe được: “{text}”", "🎙️ I heard: “{text}”"),
}

_END = (".", "!", "?", "…", ")")


def text(key: str, lang: str, **values: object) -> str:
    """The text ``key`` in ``lang`` ("en", otherwise Vietnamese), its placeholders filled."""
    vi, en = TEXTS[key]
    return (en if lang == "en" else vi).format(**values)


def both(key: str, **values: object) -> str:
    """Vietnamese first, the English after it in brackets: for a reply whose reader's
    language is not known. A Vietnamese text that is not a finished sentence gets its full
    stop after the brackets ("… rút gọn (message over 4000 characters).")."""
    vi, en = (template.format(**values) for template in TEXTS[key])
    return f"{vi} ({en})" + ("" if vi.endswith(_END) else ".")


def placeholders(template: str) -> set[str]:
    """The names of a template's ``{placeholders}``."""
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def is_text(key: str, message: str) -> bool:
    """True when ``message`` is the text ``key`` in either language, whatever its values
    (e.g. whether a reply already went out in this conversation)."""
    return any(_pattern(template).fullmatch(message or "") for template in TEXTS[key])


@cache
def _pattern(template: str) -> re.Pattern[str]:
    parts = []
    for literal, field, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(".*?")
    return re.compile("".join(parts), re.S)
