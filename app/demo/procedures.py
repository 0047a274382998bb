"""Demo procedure guides for MotCua Lite (pure data, no imports from the app).

``PROCEDURES`` is a list of dicts, one per administrative procedure (thủ tục hành
chính) handled at the commune one-stop desk, plus one how-to guide for filing
online with VNeID. Each entry carries language-neutral facts (national code, SMS
keyword, processing time, fee, online mode) and per-language content (``vi`` is
the source language, ``en`` a plain translation).

Legal frame assumed: late 2026, two-tier local government since 1 July 2025;
one-stop Decree 118/2025/NĐ-CP; online services Decree 224/2026/NĐ-CP; personal
data Law 91/2025/QH15 and Decree 356/2025/NĐ-CP; civil status Luật Hộ tịch 2014
(in force until Law 03/2026/QH16 takes effect on 1 March 2027).

NOT LEGAL ADVICE. Every fact named in an entry's ``to_confirm`` list (values are
the entry's own key names: "national_code", "fee", "processing_days",
"online_mode", "legal_basis", "steps") must be checked by a commune officer
against the procedure's record in the national database of administrative
procedures (Cơ sở dữ liệu quốc gia về thủ tục hành chính) before a real commune
relies on it; ``confirm_note`` says the same in plain words. Province-set fees
are deliberately left without a number.

Conventions:
- ``processing_days``: working days; 0 = same working day; None for the how-to.
- ``same_day_cutoff``: for same-day procedures, a dossier received after this
  local time is handled on the next working day (Decree 23/2015/NĐ-CP Art. 7 for
  certifications; the same 15:00 rule is applied to same-day civil status
  registrations).
- ``where`` stays generic ("Bộ phận một cửa của xã"): the app adds the office's
  address and hours.
- ``sms_summary`` is plain ASCII (the app transliterates anyway) and never asks
  for an ID number.
- Legal bases are plain strings so an officer can edit them.
"""

PORTAL_URL = "https://dichvucong.gov.vn/p/home/dvc-trang-chu.html"

PROCEDURES: list[dict] = [
    # ------------------------------------------------------------------ hộ tịch
    {
        "national_code": "1.001193",
        "slug": "dang-ky-khai-sinh",
        "field": "ho_tich",
        "sms_keyword": "KS",
        "processing_days": 0,
        "same_day_cutoff": "15:00",
        "online_mode": "full",
        "portal_url": PORTAL_URL,
        "fee_vnd": 0,
        "to_confirm": ["legal_basis"],
        "content": {
            "vi": {
                "name": "Đăng ký khai sinh",
                "summary": (
                    "Làm giấy khai sinh cho con mới sinh. Cha hoặc mẹ đi đăng ký "
                    "trong 60 ngày kể từ ngày sinh, tại xã nơi cha hoặc mẹ cư trú. "
                    "Có thể nộp trên mạng bằng tài khoản VNeID."
                ),
                "documents": [
                    "Giấy chứng sinh của bệnh viện, trạm y tế (bản chính)",
                    "Nếu sinh ở nhà: giấy xác nhận của người làm chứng",
                    "Thẻ căn cước của người đi đăng ký",
                    "Giấy chứng nhận kết hôn của cha mẹ (nếu có)",
                ],
                "steps": [
                    "Mang giấy tờ đến Bộ phận một cửa của xã.",
                    "Ghi tờ khai đăng ký khai sinh (xin mẫu tại quầy).",
                    "Cán bộ kiểm tra giấy tờ và ghi vào sổ hộ tịch.",
                    "Đọc lại tên, ngày sinh của con; ký vào sổ.",
                    "Nhận Giấy khai sinh bản chính.",
                ],
                "fee": "Miễn phí nếu đăng ký trong 60 ngày kể từ ngày sinh.",
                "time": (
                    "Trong ngày làm việc (nộp sau 15 giờ thì trả ngày làm việc "
                    "tiếp theo)."
                ),
                "where": "Bộ phận một cửa của xã nơi cha hoặc mẹ cư trú.",
                "legal_basis": (
                    "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP (và văn bản sửa đổi)."
                ),
                "sms_summary": (
                    "Mang: giay chung sinh (ban chinh), the can cuoc nguoi di "
                    "dang ky, giay dang ky ket hon cua cha me neu co. Mien phi "
                    "trong 60 ngay tu ngay sinh."
                ),
                "confirm_note": (
                    "Xã kiểm tra các văn bản sửa đổi Nghị định 123/2015/NĐ-CP "
                    "trước khi ghi căn cứ pháp lý."
                ),
            },
            "en": {
                "name": "Birth registration",
                "summary": (
                    "Get a birth certificate for a newborn. The father or mother "
                    "registers within 60 days of the birth, in the commune where "
                    "either parent lives. You can also file online with VNeID."
                ),
                "documents": [
                    "Birth notice from the hospital or health station (original)",
                    "Born at home: a statement from a witness",
                    "ID card of the person registering",
                    "Parents' marriage certificate (if any)",
                ],
                "steps": [
                    "Bring the papers to the commune one-stop desk.",
                    "Fill in the birth registration form (ask for it at the desk).",
                    "The officer checks the papers and writes the civil register.",
                    "Read the child's name and birth date again; sign the register.",
                    "Take the original birth certificate home.",
                ],
                "fee": "Free if registered within 60 days of the birth.",
                "time": (
                    "Same working day (received after 15:00: next working day)."
                ),
                "where": "The one-stop desk of the commune where a parent lives.",
                "legal_basis": (
                    "Law on Civil Status 2014; Decree 123/2015/NĐ-CP (as amended)."
                ),
                "sms_summary": (
                    "Bring: birth notice (original), ID card of the person "
                    "registering, parents' marriage certificate if any. Free "
                    "within 60 days of the birth."
                ),
                "confirm_note": (
                    "The commune should check the amendments to Decree "
                    "123/2015/NĐ-CP before citing it."
                ),
            },
        },
    },
    {
        "national_code": "1.000656",
        "slug": "dang-ky-khai-tu",
        "field": "ho_tich",
        "sms_keyword": "KT",
        "processing_days": 0,
        "same_day_cutoff": "15:00",
        "online_mode": "full",
        "portal_url": PORTAL_URL,
        "fee_vnd": 0,
        "to_confirm": [],
        "content": {
            "vi": {
                "name": "Đăng ký khai tử",
                "summary": (
                    "Khi có người mất, người thân (vợ, chồng, con, cha mẹ) đi khai tử "
                    "trong 15 ngày, tại xã nơi người mất cư trú cuối cùng. Trích lục "
                    "khai tử cần cho việc thừa kế, chế độ tử tuất."
                ),
                "documents": [
                    "Giấy báo tử (hoặc giấy tờ thay giấy báo tử) bản chính",
                    "Thẻ căn cước của người đi khai tử",
                ],
                "steps": [
                    "Mang giấy tờ đến Bộ phận một cửa của xã.",
                    "Ghi tờ khai đăng ký khai tử (xin mẫu tại quầy).",
                    "Cán bộ kiểm tra và ghi vào sổ hộ tịch.",
                    "Ký vào sổ hộ tịch.",
                    "Nhận Trích lục khai tử.",
                ],
                "fee": "Miễn phí nếu khai tử trong 15 ngày kể từ ngày mất.",
                "time": (
                    "Trong ngày làm việc (nộp sau 15 giờ thì trả ngày làm việc "
                    "tiếp theo)."
                ),
                "where": "Bộ phận một cửa của xã nơi người mất cư trú cuối cùng.",
                "legal_basis": "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP.",
                "sms_summary": (
                    "Mang: giay bao tu (ban chinh), the can cuoc nguoi di khai. "
                    "Mien phi neu khai trong 15 ngay tu ngay mat. Xong trong ngay."
                ),
                "confirm_note": "",
            },
            "en": {
                "name": "Death registration",
                "summary": (
                    "When someone dies, a relative (spouse, child, parent) registers "
                    "the death within 15 days, in the commune where the person last "
                    "lived. The death extract is needed for inheritance and benefits."
                ),
                "documents": [
                    "Death notice (or a paper that replaces it), original",
                    "ID card of the person registering",
                ],
                "steps": [
                    "Bring the papers to the commune one-stop desk.",
                    "Fill in the death registration form (ask for it at the desk).",
                    "The officer checks the papers and writes the civil register.",
                    "Sign the civil register.",
                    "Take the death extract (trích lục khai tử).",
                ],
                "fee": "Free if registered within 15 days of the death.",
                "time": (
                    "Same working day (received after 15:00: next working day)."
                ),
                "where": "The one-stop desk of the commune where the person last lived.",
                "legal_basis": "Law on Civil Status 2014; Decree 123/2015/NĐ-CP.",
                "sms_summary": (
                    "Bring: death notice (original), ID card of the person "
                    "registering. Free within 15 days of the death. Done the same day."
                ),
                "confirm_note": "",
            },
        },
    },
    {
        "national_code": "1.000894",
        "slug": "dang-ky-ket-hon",
        "field": "ho_tich",
        "sms_keyword": "KH",
        "processing_days": 0,
        "same_day_cutoff": "15:00",
        "online_mode": "partial",
        "portal_url": PORTAL_URL,
        "fee_vnd": 0,
        "to_confirm": [],
        "content": {
            "vi": {
                "name": "Đăng ký kết hôn",
                "summary": (
                    "Hai người Việt Nam ở trong nước đăng ký kết hôn. Nam từ đủ 20 "
                    "tuổi, nữ từ đủ 18 tuổi, tự nguyện, không đang có vợ hoặc chồng. "
                    "Có thể nộp trước trên mạng, nhưng cả hai phải đến xã để ký."
                ),
                "documents": [
                    "Tờ khai đăng ký kết hôn (xin mẫu tại quầy)",
                    "Thẻ căn cước của cả hai người",
                    "Giấy xác nhận tình trạng hôn nhân, nếu một người cư trú ở xã khác",
                ],
                "steps": [
                    "Cả hai người cùng đến Bộ phận một cửa của xã.",
                    "Nộp tờ khai và giấy tờ cho cán bộ.",
                    "Cán bộ kiểm tra điều kiện kết hôn.",
                    "Cả hai ký vào sổ hộ tịch và Giấy chứng nhận kết hôn.",
                    "Mỗi người nhận một bản chính Giấy chứng nhận kết hôn.",
                ],
                "fee": "Miễn phí.",
                "time": (
                    "Trong ngày làm việc; nếu cần xác minh thì không quá 5 ngày "
                    "làm việc."
                ),
                "where": "Bộ phận một cửa của xã nơi một trong hai người cư trú.",
                "legal_basis": (
                    "Luật Hộ tịch 2014; Luật Hôn nhân và gia đình 2014; "
                    "Nghị định 123/2015/NĐ-CP."
                ),
                "sms_summary": (
                    "Ca hai cung den xa. Mang: the can cuoc 2 nguoi, to khai ket "
                    "hon, giay xac nhan tinh trang hon nhan neu 1 nguoi o xa khac. "
                    "Mien phi."
                ),
                "confirm_note": "",
            },
            "en": {
                "name": "Marriage registration",
                "summary": (
                    "Two Vietnamese citizens living in Viet Nam register their "
                    "marriage. The man must be 20 or older, the woman 18 or older, "
                    "both willing and not married. You can file online first, but "
                    "both must come to sign."
                ),
                "documents": [
                    "Marriage registration form (ask for it at the desk)",
                    "ID cards of both partners",
                    "Marital status certificate, if a partner lives in another commune",
                ],
                "steps": [
                    "Both partners come to the commune one-stop desk together.",
                    "Hand the form and papers to the officer.",
                    "The officer checks that you may marry.",
                    "Both sign the civil register and the marriage certificate.",
                    "Each partner takes one original marriage certificate.",
                ],
                "fee": "Free.",
                "time": (
                    "Same working day; up to 5 working days if checks are needed."
                ),
                "where": "The one-stop desk of the commune where one partner lives.",
                "legal_basis": (
                    "Law on Civil Status 2014; Law on Marriage and Family 2014; "
                    "Decree 123/2015/NĐ-CP."
                ),
                "sms_summary": (
                    "Both partners come. Bring: both ID cards, marriage form, "
                    "marital status certificate if a partner lives in another "
                    "commune. Free."
                ),
                "confirm_note": "",
            },
        },
    },
    {
        "national_code": "1.004873",
        "slug": "xac-nhan-tinh-trang-hon-nhan",
        "field": "ho_tich",
        "sms_keyword": "HN",
        "processing_days": 3,
        "same_day_cutoff": None,
        "online_mode": "full",
        "portal_url": PORTAL_URL,
        "fee_vnd": None,
        "to_confirm": ["fee"],
        "content": {
            "vi": {
                "name": "Cấp Giấy xác nhận tình trạng hôn nhân",
                "summary": (
                    "Giấy cho biết bạn đang độc thân hay đã kết hôn. Cần khi đăng ký "
                    "kết hôn ở xã khác, mua bán nhà đất, vay vốn. Giấy có giá trị "
                    "6 tháng. Ghi rõ mục đích dùng giấy trong tờ khai."
                ),
                "documents": [
                    "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân (ghi rõ mục đích)",
                    "Thẻ căn cước",
                    "Nếu đã ly hôn: bản án hoặc quyết định ly hôn",
                    "Nếu vợ hoặc chồng đã mất: trích lục khai tử",
                ],
                "steps": [
                    "Mang giấy tờ đến Bộ phận một cửa của xã, hoặc nộp trên mạng.",
                    "Nhận phiếu hẹn trả kết quả.",
                    "Nộp lệ phí theo mức xã thông báo.",
                    "Đúng ngày hẹn, đến nhận Giấy xác nhận.",
                ],
                "fee": "Theo mức do tỉnh quy định (kiểm tra với xã).",
                "time": "3 ngày làm việc.",
                "where": "Bộ phận một cửa của xã nơi bạn cư trú.",
                "legal_basis": "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP.",
                "sms_summary": (
                    "Mang: to khai (ghi ro muc dich), the can cuoc, quyet dinh ly "
                    "hon hoac trich luc khai tu vo/chong neu co. 3 ngay lam viec. "
                    "Le phi: hoi xa."
                ),
                "confirm_note": (
                    "Lệ phí do tỉnh quy định: xã điền đúng mức và các trường hợp "
                    "được miễn."
                ),
            },
            "en": {
                "name": "Marital status certificate",
                "summary": (
                    "A paper saying whether you are single or married. Needed to "
                    "marry in another commune, sell land or take a loan. Valid for "
                    "6 months. Write on the form what you need it for."
                ),
                "documents": [
                    "Request form for a marital status certificate (state the purpose)",
                    "ID card",
                    "If divorced: the divorce judgment or decision",
                    "If your spouse died: the death extract",
                ],
                "steps": [
                    "Bring the papers to the commune one-stop desk, or file online.",
                    "Take the appointment slip.",
                    "Pay the fee the commune tells you.",
                    "On the appointment day, collect the certificate.",
                ],
                "fee": "Set by the province (ask the commune).",
                "time": "3 working days.",
                "where": "The one-stop desk of the commune where you live.",
                "legal_basis": "Law on Civil Status 2014; Decree 123/2015/NĐ-CP.",
                "sms_summary": (
                    "Bring: form (state the purpose), ID card, divorce decision or "
                    "spouse's death extract if any. 3 working days. Fee: ask the "
                    "commune."
                ),
                "confirm_note": (
                    "The fee is set by the province: the commune fills in the "
                    "amount and who is exempt."
                ),
            },
        },
    },
    {
        "national_code": "2.000635",
        "slug": "cap-ban-sao-trich-luc-ho-tich",
        "field": "ho_tich",
        "sms_keyword": "TL",
        "processing_days": 0,
        "same_day_cutoff": "15:00",
        "online_mode": "full",
        "portal_url": PORTAL_URL,
        "fee_vnd": 8000,
        "to_confirm": ["legal_basis"],
        "content": {
            "vi": {
                "name": "Cấp bản sao trích lục hộ tịch",
                "summary": (
                    "Xin thêm bản sao giấy khai sinh, giấy chứng nhận kết hôn, trích "
                    "lục khai tử từ sổ hộ tịch của xã, khi bị mất hoặc cần nhiều bản. "
                    "Bản thân hoặc người thân xin được; người khác cần giấy ủy quyền."
                ),
                "documents": [
                    "Tờ khai cấp bản sao trích lục hộ tịch (xin mẫu tại quầy)",
                    "Thẻ căn cước của người đi xin",
                    "Giấy ủy quyền, nếu xin giúp người không phải người thân",
                ],
                "steps": [
                    "Đến Bộ phận một cửa của xã, hoặc nộp trên mạng.",
                    "Ghi tờ khai, nói rõ cần bao nhiêu bản.",
                    "Nộp phí 8.000 đồng mỗi bản.",
                    "Nhận bản sao trích lục.",
                ],
                "fee": "8.000 đồng mỗi bản sao.",
                "time": (
                    "Trong ngày làm việc (nộp sau 15 giờ thì trả ngày làm việc "
                    "tiếp theo)."
                ),
                "where": "Bộ phận một cửa của xã đã đăng ký việc hộ tịch đó.",
                "legal_basis": (
                    "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP; "
                    "Thông tư 281/2016/TT-BTC."
                ),
                "sms_summary": (
                    "Mang: the can cuoc, giay uy quyen neu xin giup nguoi khac. "
                    "Phi 8.000d moi ban. Xong trong ngay. Co the nop tren "
                    "dichvucong.gov.vn."
                ),
                "confirm_note": (
                    "Xã kiểm tra Thông tư 281/2016/TT-BTC còn hiệu lực hoặc đã được "
                    "sửa đổi (mức 8.000 đồng/bản)."
                ),
            },
            "en": {
                "name": "Copies of civil status extracts",
                "summary": (
                    "Get extra copies of a birth, marriage or death record from the "
                    "commune's civil register, when the paper is lost or you need "
                    "more. You or a relative can ask; anyone else needs an "
                    "authorisation."
                ),
                "documents": [
                    "Request form for copies (ask for it at the desk)",
                    "ID card of the person asking",
                    "An authorisation letter, if asking for someone not related",
                ],
                "steps": [
                    "Come to the commune one-stop desk, or file online.",
                    "Fill in the form; say how many copies you need.",
                    "Pay 8,000 VND per copy.",
                    "Take the copies.",
                ],
                "fee": "8,000 VND per copy.",
                "time": (
                    "Same working day (received after 15:00: next working day)."
                ),
                "where": "The one-stop desk of the commune that made the record.",
                "legal_basis": (
                    "Law on Civil Status 2014; Decree 123/2015/NĐ-CP; "
                    "Circular 281/2016/TT-BTC."
                ),
                "sms_summary": (
                    "Bring: ID card, authorisation if asking for someone else. "
                    "8,000 VND per copy. Done the same day. You can also file on "
                    "dichvucong.gov.vn."
                ),
                "confirm_note": (
                    "The commune should check Circular 281/2016/TT-BTC is still in "
                    "force or amended (8,000 VND per copy)."
                ),
            },
        },
    },
    {
        "national_code": "1.001022",
        "slug": "dang-ky-nhan-cha-me-con",
        "field": "ho_tich",
        "sms_keyword": "NCM",
        "processing_days": 3,
        "same_day_cutoff": None,
        "online_mode": "partial",
        "portal_url": PORTAL_URL,
        "fee_vnd": None,
        "to_confirm": ["fee"],
        "content": {
            "vi": {
                "name": "Đăng ký nhận cha, mẹ, con",
                "summary": (
                    "Khi cha hoặc mẹ muốn được ghi nhận là cha, mẹ của con (ví dụ "
                    "con sinh ra khi cha mẹ chưa đăng ký kết hôn). Cha, mẹ, con đều "
                    "là người Việt Nam ở trong nước, không có tranh chấp."
                ),
                "documents": [
                    "Tờ khai đăng ký nhận cha, mẹ, con (xin mẫu tại quầy)",
                    "Giấy xét nghiệm ADN hoặc giấy của cơ sở y tế xác nhận quan hệ",
                    "Nếu không có: giấy cam đoan kèm ít nhất hai người làm chứng",
                    "Thẻ căn cước của người đi đăng ký",
                ],
                "steps": [
                    "Mang giấy tờ đến Bộ phận một cửa của xã.",
                    "Nhận phiếu hẹn trả kết quả.",
                    "Đúng ngày hẹn, các bên cùng có mặt tại xã.",
                    "Ký vào sổ hộ tịch và nhận Trích lục đăng ký nhận cha, mẹ, con.",
                ],
                "fee": "Theo mức do tỉnh quy định (kiểm tra với xã).",
                "time": (
                    "3 ngày làm việc; nếu cần xác minh thì thêm không quá 5 ngày "
                    "làm việc."
                ),
                "where": "Bộ phận một cửa của xã nơi người nhận hoặc người được nhận cư trú.",
                "legal_basis": "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP.",
                "sms_summary": (
                    "Mang: to khai, giay xet nghiem ADN hoac giay to chung minh "
                    "quan he cha me con, the can cuoc. Cac ben cung den xa. "
                    "3 ngay lam viec. Le phi: hoi xa."
                ),
                "confirm_note": (
                    "Lệ phí do tỉnh quy định: xã điền đúng mức và các trường hợp "
                    "được miễn."
                ),
            },
            "en": {
                "name": "Registering a father, mother or child",
                "summary": (
                    "For a father or mother who wants to be recorded as a child's "
                    "parent (for example, the child was born before the parents "
                    "married). All are Vietnamese living in Viet Nam and nobody "
                    "disputes it."
                ),
                "documents": [
                    "Registration form (ask for it at the desk)",
                    "DNA test result or a health facility paper proving the relation",
                    "If none: a written pledge with at least two witnesses",
                    "ID card of the person registering",
                ],
                "steps": [
                    "Bring the papers to the commune one-stop desk.",
                    "Take the appointment slip.",
                    "On the appointment day, everyone involved comes to the commune.",
                    "Sign the civil register and take the extract.",
                ],
                "fee": "Set by the province (ask the commune).",
                "time": (
                    "3 working days; up to 5 more working days if checks are needed."
                ),
                "where": "The one-stop desk of the commune where the parent or child lives.",
                "legal_basis": "Law on Civil Status 2014; Decree 123/2015/NĐ-CP.",
                "sms_summary": (
                    "Bring: form, DNA result or other proof of the parent-child "
                    "relation, ID card. Everyone involved comes. 3 working days. "
                    "Fee: ask the commune."
                ),
                "confirm_note": (
                    "The fee is set by the province: the commune fills in the "
                    "amount and who is exempt."
                ),
            },
        },
    },
    # --------------------------------------------------------------- chứng thực
    {
        "national_code": "2.000815",
        "slug": "chung-thuc-ban-sao-tu-ban-chinh",
        "field": "chung_thuc",
        "sms_keyword": "CT",
        "processing_days": 0,
        "same_day_cutoff": "15:00",
        "online_mode": "offline",
        "portal_url": PORTAL_URL,
        "fee_vnd": None,
        "to_confirm": [],
        "content": {
            "vi": {
                "name": "Chứng thực bản sao từ bản chính",
                "summary": (
                    "Xã đóng dấu xác nhận bản photo giống bản chính (sổ đỏ, bằng "
                    "cấp, giấy khai sinh...). Làm ở xã nào cũng được. Không chứng "
                    "thực giấy bị rách, tẩy xóa, mờ không đọc được."
                ),
                "documents": [
                    "Bản chính giấy tờ (còn nguyên, không tẩy xóa)",
                    "Bản photo cần chứng thực (hoặc photo tại quầy)",
                ],
                "steps": [
                    "Mang bản chính và bản photo đến Bộ phận một cửa của xã.",
                    "Cán bộ so bản photo với bản chính.",
                    "Nộp phí theo số trang.",
                    "Nhận lại bản chính và bản sao đã đóng dấu.",
                ],
                "fee": (
                    "2.000 đồng/trang cho trang 1 và 2; từ trang 3 là 1.000 "
                    "đồng/trang; tối đa 200.000 đồng mỗi bản."
                ),
                "time": (
                    "Trong ngày làm việc (nộp sau 15 giờ thì trả ngày làm việc "
                    "tiếp theo)."
                ),
                "where": "Bộ phận một cửa của xã (xã nào cũng được).",
                "legal_basis": (
                    "Nghị định 23/2015/NĐ-CP; Thông tư 226/2016/TT-BTC."
                ),
                "sms_summary": (
                    "Mang: ban chinh con nguyen va ban photo. Phi 2.000d/trang "
                    "(trang 1-2), 1.000d/trang tu trang 3, toi da 200.000d/ban. "
                    "Xong trong ngay."
                ),
                "confirm_note": "",
            },
            "en": {
                "name": "Certified copy from an original",
                "summary": (
                    "The commune stamps a photocopy to confirm it matches the "
                    "original (land certificate, diploma, birth certificate...). Any "
                    "commune can do it. Torn, altered or unreadable papers are "
                    "refused."
                ),
                "documents": [
                    "The original paper (whole, not altered)",
                    "The photocopy to certify (or copy it at the desk)",
                ],
                "steps": [
                    "Bring the original and the photocopy to the one-stop desk.",
                    "The officer compares the copy with the original.",
                    "Pay the fee by the number of pages.",
                    "Take back the original and the stamped copy.",
                ],
                "fee": (
                    "2,000 VND a page for pages 1 and 2; 1,000 VND a page from "
                    "page 3; at most 200,000 VND per copy."
                ),
                "time": (
                    "Same working day (received after 15:00: next working day)."
                ),
                "where": "The one-stop desk of any commune.",
                "legal_basis": (
                    "Decree 23/2015/NĐ-CP; Circular 226/2016/TT-BTC."
                ),
                "sms_summary": (
                    "Bring: the original and the photocopy. Fee 2,000 VND/page "
                    "(pages 1-2), 1,000 VND/page from page 3, max 200,000 VND per "
                    "copy. Same day."
                ),
                "confirm_note": "",
            },
        },
    },
    {
        "national_code": "2.000884",
        "slug": "chung-thuc-chu-ky",
        "field": "chung_thuc",
        "sms_keyword": "CK",
        "processing_days": 0,
        "same_day_cutoff": "15:00",
        "online_mode": "offline",
        "portal_url": PORTAL_URL,
        "fee_vnd": 10000,
        "to_confirm": [],
        "content": {
            "vi": {
                "name": "Chứng thực chữ ký",
                "summary": (
                    "Xã xác nhận chữ ký trên giấy tờ là của bạn (đơn, giấy ủy quyền, "
                    "bản cam kết...). Bạn phải tự đến và ký trước mặt cán bộ, không "
                    "ký trước ở nhà. Làm ở xã nào cũng được."
                ),
                "documents": [
                    "Giấy tờ cần chứng thực chữ ký (chưa ký)",
                    "Thẻ căn cước hoặc hộ chiếu còn hạn (bản chính)",
                ],
                "steps": [
                    "Tự mình đến Bộ phận một cửa của xã.",
                    "Đưa thẻ căn cước và giấy tờ cho cán bộ.",
                    "Ký vào giấy tờ trước mặt cán bộ.",
                    "Nộp phí 10.000 đồng.",
                    "Nhận giấy tờ đã chứng thực.",
                ],
                "fee": "10.000 đồng mỗi trường hợp.",
                "time": (
                    "Trong ngày làm việc (nộp sau 15 giờ thì trả ngày làm việc "
                    "tiếp theo)."
                ),
                "where": "Bộ phận một cửa của xã (xã nào cũng được).",
                "legal_basis": (
                    "Nghị định 23/2015/NĐ-CP; Thông tư 226/2016/TT-BTC."
                ),
                "sms_summary": (
                    "Tu den xa, ky truoc mat can bo (khong ky truoc o nha). Mang: "
                    "giay to can ky, the can cuoc ban chinh. Phi 10.000d. Xong "
                    "trong ngay."
                ),
                "confirm_note": "",
            },
            "en": {
                "name": "Signature certification",
                "summary": (
                    "The commune confirms that the signature on a paper is yours "
                    "(a letter, an authorisation, a pledge...). Come in person and "
                    "sign in front of the officer; do not sign at home. Any commune "
                    "can do it."
                ),
                "documents": [
                    "The paper to be signed (not signed yet)",
                    "ID card or valid passport (original)",
                ],
                "steps": [
                    "Come to the commune one-stop desk yourself.",
                    "Hand your ID card and the paper to the officer.",
                    "Sign the paper in front of the officer.",
                    "Pay 10,000 VND.",
                    "Take the certified paper.",
                ],
                "fee": "10,000 VND per case.",
                "time": (
                    "Same working day (received after 15:00: next working day)."
                ),
                "where": "The one-stop desk of any commune.",
                "legal_basis": (
                    "Decree 23/2015/NĐ-CP; Circular 226/2016/TT-BTC."
                ),
                "sms_summary": (
                    "Come yourself and sign in front of the officer (not at home). "
                    "Bring: the paper, your ID card (original). Fee 10,000 VND. "
                    "Same day."
                ),
                "confirm_note": "",
            },
        },
    },
    {
        "national_code": None,
        "slug": "chung-thuc-ban-sao-dien-tu-tu-ban-chinh",
        "field": "chung_thuc",
        "sms_keyword": "CTD",
        "processing_days": 0,
        "same_day_cutoff": "15:00",
        "online_mode": "partial",
        "portal_url": PORTAL_URL,
        "fee_vnd": None,
        "to_confirm": ["national_code", "fee"],
        "content": {
            "vi": {
                "name": "Chứng thực bản sao điện tử từ bản chính",
                "summary": (
                    "Xã quét bản chính giấy tờ, ký số và gửi tệp vào tài khoản của "
                    "bạn trên Cổng Dịch vụ công. Dùng tệp này để nộp hồ sơ trên mạng "
                    "nhiều lần, không phải photo, chứng thực lại."
                ),
                "documents": [
                    "Bản chính giấy tờ (còn nguyên, không tẩy xóa)",
                    "Thẻ căn cước",
                    "Tài khoản VNeID mức 2 (để nhận tệp)",
                ],
                "steps": [
                    "Mang bản chính đến Bộ phận một cửa của xã.",
                    "Cán bộ quét giấy tờ và ký số.",
                    "Nộp phí theo số trang.",
                    "Nhận lại bản chính ngay tại quầy.",
                    "Mở Cổng Dịch vụ công, xem tệp trong tài khoản của bạn.",
                ],
                "fee": "Như chứng thực bản sao giấy, tính theo trang (kiểm tra với xã).",
                "time": (
                    "Trong ngày làm việc (nộp sau 15 giờ thì trả ngày làm việc "
                    "tiếp theo)."
                ),
                "where": "Bộ phận một cửa của xã (xã nào cũng được).",
                "legal_basis": (
                    "Nghị định 23/2015/NĐ-CP; Nghị định 45/2020/NĐ-CP."
                ),
                "sms_summary": (
                    "Mang: ban chinh, the can cuoc; can tai khoan VNeID muc 2 de "
                    "nhan tep. Tep gui vao tai khoan tren dichvucong.gov.vn. Phi "
                    "theo trang: hoi xa."
                ),
                "confirm_note": (
                    "Xã kiểm tra mã thủ tục (có nơi ghi chung mã 2.000815) và mức "
                    "phí bản sao điện tử."
                ),
            },
            "en": {
                "name": "Electronic certified copy from an original",
                "summary": (
                    "The commune scans your original paper, signs it digitally and "
                    "puts the file in your account on the public service portal. "
                    "Use it for online dossiers again and again, with no paper "
                    "copies."
                ),
                "documents": [
                    "The original paper (whole, not altered)",
                    "ID card",
                    "A level-2 VNeID account (to receive the file)",
                ],
                "steps": [
                    "Bring the original to the commune one-stop desk.",
                    "The officer scans the paper and signs it digitally.",
                    "Pay the fee by the number of pages.",
                    "Take back your original at the desk.",
                    "Open the public service portal; find the file in your account.",
                ],
                "fee": "As for paper certified copies, by page (ask the commune).",
                "time": (
                    "Same working day (received after 15:00: next working day)."
                ),
                "where": "The one-stop desk of any commune.",
                "legal_basis": (
                    "Decree 23/2015/NĐ-CP; Decree 45/2020/NĐ-CP."
                ),
                "sms_summary": (
                    "Bring: the original, ID card; you need a level-2 VNeID account "
                    "to get the file. It goes to your dichvucong.gov.vn account. "
                    "Fee by page: ask."
                ),
                "confirm_note": (
                    "The commune should confirm the procedure code (some list it "
                    "under 2.000815) and the fee for electronic copies."
                ),
            },
        },
    },
    # ------------------------------------------------------------ hộ kinh doanh
    {
        "national_code": "1.001612",
        "slug": "dang-ky-thanh-lap-ho-kinh-doanh",
        "field": "ho_kinh_doanh",
        "sms_keyword": "HKD",
        "processing_days": 3,
        "same_day_cutoff": None,
        "online_mode": "full",
        "portal_url": PORTAL_URL,
        "fee_vnd": None,
        "to_confirm": ["national_code", "fee", "online_mode"],
        "content": {
            "vi": {
                "name": "Đăng ký thành lập hộ kinh doanh",
                "summary": (
                    "Đăng ký cửa hàng, quán ăn, xưởng nhỏ của một người hoặc một hộ "
                    "gia đình để được cấp Giấy chứng nhận đăng ký hộ kinh doanh. "
                    "Từ 1/7/2025 do xã giải quyết."
                ),
                "documents": [
                    "Giấy đề nghị đăng ký hộ kinh doanh (xin mẫu tại quầy)",
                    "Thẻ căn cước của chủ hộ kinh doanh",
                    "Biên bản họp thành viên hộ gia đình, nếu cả hộ cùng đăng ký",
                    "Giấy ủy quyền, nếu nhờ người khác đi nộp",
                ],
                "steps": [
                    "Mang giấy tờ đến Bộ phận một cửa của xã, hoặc nộp trên mạng.",
                    "Nhận phiếu hẹn trả kết quả.",
                    "Nộp lệ phí theo mức xã thông báo.",
                    "Đúng ngày hẹn, nhận Giấy chứng nhận đăng ký hộ kinh doanh.",
                ],
                "fee": "Theo mức do tỉnh quy định (kiểm tra với xã).",
                "time": "3 ngày làm việc.",
                "where": "Bộ phận một cửa của xã nơi đặt địa điểm kinh doanh.",
                "legal_basis": "Nghị định 168/2025/NĐ-CP.",
                "sms_summary": (
                    "Mang: giay de nghi dang ky ho kinh doanh, the can cuoc chu ho, "
                    "bien ban hop gia dinh neu ca ho dang ky. 3 ngay lam viec. "
                    "Le phi: hoi xa."
                ),
                "confirm_note": (
                    "Xã kiểm tra mã thủ tục theo Nghị định 168/2025/NĐ-CP, mức lệ "
                    "phí của tỉnh và cách nộp trên mạng."
                ),
            },
            "en": {
                "name": "Household business registration",
                "summary": (
                    "Register a shop, food stall or small workshop run by one person "
                    "or a household, to get a household business registration "
                    "certificate. Since 1 July 2025 the commune handles it."
                ),
                "documents": [
                    "Household business registration form (ask for it at the desk)",
                    "ID card of the business owner",
                    "Minutes of the household meeting, if the household registers",
                    "An authorisation letter, if someone files for you",
                ],
                "steps": [
                    "Bring the papers to the commune one-stop desk, or file online.",
                    "Take the appointment slip.",
                    "Pay the fee the commune tells you.",
                    "On the appointment day, collect the registration certificate.",
                ],
                "fee": "Set by the province (ask the commune).",
                "time": "3 working days.",
                "where": "The one-stop desk of the commune where the business is.",
                "legal_basis": "Decree 168/2025/NĐ-CP.",
                "sms_summary": (
                    "Bring: registration form, owner's ID card, household meeting "
                    "minutes if the household registers. 3 working days. Fee: ask "
                    "the commune."
                ),
                "confirm_note": (
                    "The commune should confirm the procedure code under Decree "
                    "168/2025/NĐ-CP, the province's fee and how to file online."
                ),
            },
        },
    },
    # ------------------------------------------------------------ dịch vụ công
    {
        "national_code": None,
        "slug": "tao-tai-khoan-vneid-nop-ho-so-truc-tuyen",
        "field": "dich_vu_cong",
        "sms_keyword": "VNEID",
        "processing_days": None,
        "same_day_cutoff": None,
        "online_mode": "full",
        "portal_url": PORTAL_URL,
        "fee_vnd": None,
        "to_confirm": ["steps"],
        "content": {
            "vi": {
                "name": "Tạo tài khoản VNeID và nộp hồ sơ trên mạng",
                "summary": (
                    "Cách nộp hồ sơ ở nhà bằng điện thoại, không phải xếp hàng. Cần "
                    "tài khoản VNeID mức 2. Lỗi thì gọi xã hoặc đến xã, tổ công nghệ "
                    "số cộng đồng giúp tại quầy. Đăng ký thường trú do Công an xã "
                    "làm, không nộp ở quầy này."
                ),
                "documents": [
                    "Thẻ căn cước gắn chip",
                    "Điện thoại có số SIM đứng tên bạn",
                    "Ảnh chụp rõ các giấy tờ cần nộp",
                ],
                "steps": [
                    "Mang thẻ căn cước và điện thoại đến Công an xã, xin cấp tài khoản định danh điện tử mức 2.",
                    "Cài ứng dụng VNeID, bấm \"Kích hoạt tài khoản\", nhập mã kích hoạt nhận qua tin nhắn.",
                    "Vào dichvucong.gov.vn, bấm \"Đăng nhập\", chọn VNeID, quét mã QR bằng ứng dụng VNeID.",
                    "Tìm tên thủ tục, chọn xã, điền tờ khai, gắn ảnh giấy tờ, nộp phí nếu có, bấm \"Nộp hồ sơ\".",
                    "Ghi lại mã hồ sơ. Xem kết quả trên Cổng hoặc nhắn TT cùng mã hồ sơ.",
                    "Không đưa mật khẩu, mã OTP cho ai. Bị lỗi: gọi Bộ phận một cửa của xã.",
                ],
                "fee": "Tạo tài khoản miễn phí. Lệ phí hồ sơ theo từng thủ tục.",
                "time": "Tạo tài khoản tại Công an xã; nộp hồ sơ trên mạng bất cứ lúc nào.",
                "where": (
                    "Ở nhà, trên điện thoại. Cần giúp: Bộ phận một cửa của xã. "
                    "Đăng ký thường trú: Công an xã."
                ),
                "legal_basis": (
                    "Nghị định 224/2026/NĐ-CP; Nghị định 69/2024/NĐ-CP; "
                    "Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15."
                ),
                "sms_summary": (
                    "Can: the can cuoc gan chip, dien thoai co SIM dung ten ban. "
                    "Den Cong an xa lap VNeID muc 2, roi nop tai dichvucong.gov.vn. "
                    "Loi: goi xa (nhan LH)."
                ),
                "confirm_note": (
                    "Tên nút trên màn hình có thể đổi theo phiên bản: tổ công nghệ "
                    "số cộng đồng kiểm tra lại."
                ),
            },
            "en": {
                "name": "Create a VNeID account and file a dossier online",
                "summary": (
                    "How to file from home on your phone, with no queue. You need a "
                    "level-2 VNeID account. If it fails, call or visit the commune: "
                    "the community digital team helps at the desk. Permanent "
                    "residence is done by the commune police, not this desk."
                ),
                "documents": [
                    "Chip ID card",
                    "A phone with a SIM registered in your name",
                    "Clear photos of the papers to submit",
                ],
                "steps": [
                    "Take your ID card and phone to the commune police; ask for a level-2 e-ID account.",
                    "Install the VNeID app, tap \"Kích hoạt tài khoản\" (activate), type the code from the SMS.",
                    "Open dichvucong.gov.vn, tap \"Đăng nhập\" (sign in), choose VNeID, scan the QR code with the app.",
                    "Search the procedure, choose the commune, fill the form, attach photos, pay, tap \"Nộp hồ sơ\".",
                    "Write down the dossier code. Track it on the portal or text TT and the code.",
                    "Never give your password or OTP to anyone. If it fails, call the commune desk.",
                ],
                "fee": "The account is free. Each procedure has its own fee.",
                "time": "Account at the commune police; file online at any time.",
                "where": (
                    "At home, on your phone. For help: the commune one-stop desk. "
                    "Permanent residence: the commune police."
                ),
                "legal_basis": (
                    "Decree 224/2026/NĐ-CP; Decree 69/2024/NĐ-CP; "
                    "Personal Data Protection Law 91/2025/QH15."
                ),
                "sms_summary": (
                    "Need: chip ID card, phone with a SIM in your name. Get VNeID "
                    "level 2 at the commune police, then file on dichvucong.gov.vn. "
                    "Help: call the commune (text LH)."
                ),
                "confirm_note": (
                    "Button names on screen may change between versions: the "
                    "community digital team should check them."
                ),
            },
        },
    },
]
