"""Demo procedure guides for MotCua Lite (pure data, no imports from the app).

``PROCEDURES`` is a list of dicts, one per administrative procedure (thủ tục hành
chính) handled at the commune's Public Administration Service Centre (Trung tâm
Phục vụ hành chính công), plus one how-to guide for filing online with VNeID.
Each entry carries language-neutral facts (national code, SMS keyword,
processing time, fee, online mode) and per-language content (``vi`` is the
source language, ``en`` a plain translation).

Legal frame assumed: late 2026, two-tier local government since 1 July 2025 (the
demo commune Vĩnh Bửu is in Tây Ninh, which Long An merged into); one-stop
Decree 118/2025/NĐ-CP; online services Decree 224/2026/NĐ-CP; personal data Law
91/2025/QH15 and Decree 356/2025/NĐ-CP; civil status Luật Hộ tịch 2014 (until
Law 03/2026/QH16 takes effect on 1 March 2027) with Decree 123/2015/NĐ-CP as
amended by Decree 18/2026/NĐ-CP (bring the ID card or give the personal ID
number; papers only when the commune cannot find the data on the computer);
commune powers and filing at any commune: Decree 120/2025/NĐ-CP.

NOT LEGAL ADVICE. Every fact named in an entry's ``to_confirm`` list (values are
the entry's own key names: "national_code", "fee", "processing_days",
"online_mode", "legal_basis", "documents", "steps", "where") must be checked by a
commune officer against the procedure's record in the national database of
administrative procedures (Cơ sở dữ liệu quốc gia về thủ tục hành chính) before
a real commune relies on it. ``officer_note`` says what to check, for officers
only: it is never shown on a citizen page, in an SMS or in the API. While
``to_confirm`` is not empty the citizen page shows "Gọi cán bộ trước khi đi"
with the officer's phone. Province-set fees carry a common figure and the mark.

Conventions (checked by tests/domain/test_demo_procedures.py and tests/domain/test_guide_content.py):
- Plain words: a sentence at most 20 words; documents and steps together (the
  guide's core) at most 120 words.
- Civil-status guides list the ID card (or personal ID number) first, then
  papers "only if the commune cannot find it on the computer"; their fee says
  who never pays (Luật Hộ tịch 2014, Art. 11).
- ``processing_days``: working days; 0 = same working day; None for the how-to.
- ``same_day_cutoff``: for same-day procedures, a dossier received after this
  local time is handled on the next working day (Decree 23/2015/NĐ-CP Art. 7 for
  certifications; the same 15:00 rule is applied to same-day civil status
  registrations).
- ``where`` stays generic (the commune's Trung tâm Phục vụ hành chính công): the
  app adds the office's address and hours.
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
        "to_confirm": ["legal_basis", "documents"],
        "content": {
            "vi": {
                "name": "Đăng ký khai sinh",
                "summary": (
                    "Con mới sinh thì làm giấy khai sinh cho con. Cha hoặc mẹ đi làm "
                    "trong 60 ngày sau khi sinh. Làm ở xã nào cũng được, hoặc nộp "
                    "trên điện thoại bằng VNeID."
                ),
                "documents": [
                    "Thẻ căn cước, hoặc số định danh cá nhân, của người đi đăng ký",
                    "Chỉ khi xã không tìm được trên máy tính: giấy chứng sinh, giấy kết "
                    "hôn của cha mẹ (nếu có)",
                    "Sinh ở nhà, không có giấy chứng sinh: giấy xác nhận của người "
                    "làm chứng",
                ],
                "steps": [
                    "Đến Trung tâm Phục vụ hành chính công của xã, hoặc nộp trên mạng.",
                    "Ghi tờ khai đăng ký khai sinh (xin mẫu tại quầy).",
                    "Cán bộ tra dữ liệu trên máy tính và ghi vào sổ hộ tịch.",
                    "Đọc lại tên, ngày sinh của con; ký vào sổ.",
                    "Nhận Giấy khai sinh bản chính.",
                ],
                "fee": (
                    "Miễn phí nếu đăng ký trong 60 ngày sau khi sinh. Hộ nghèo, người "
                    "khuyết tật, gia đình người có công luôn được miễn phí. Quá 60 "
                    "ngày: lệ phí nhỏ, hỏi cán bộ."
                ),
                "time": (
                    "Trong ngày làm việc. Nộp sau 15 giờ thì nhận vào ngày làm việc "
                    "tiếp theo."
                ),
                "where": "Nộp ở xã nào cũng được, xã nhận sẽ chuyển giúp.",
                "legal_basis": (
                    "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP, sửa đổi bởi Nghị định "
                    "18/2026/NĐ-CP; Nghị định 120/2025/NĐ-CP."
                ),
                "sms_summary": (
                    "Mang the can cuoc. Giay chung sinh chi can khi xa khong tim duoc "
                    "tren may. Mien phi trong 60 ngay sau khi sinh. Xa nao cung nhan."
                ),
                "officer_note": (
                    "Chưa đối chiếu: các văn bản sửa đổi Nghị định 123/2015/NĐ-CP; giấy "
                    "tờ nào đã thay bằng dữ liệu (Quyết định 3458/QĐ-BTP). Điền mức lệ "
                    "phí khai sinh quá hạn của tỉnh Tây Ninh."
                ),
            },
            "en": {
                "name": "Birth registration",
                "summary": (
                    "Your baby is born: get the birth certificate. A parent registers "
                    "within 60 days of the birth. Any commune will do it, or apply on "
                    "your phone with VNeID."
                ),
                "documents": [
                    "ID card, or the personal ID number, of the person registering",
                    "Only if the commune cannot find it on the computer: birth notice "
                    "(original), parents' marriage certificate if any",
                    "Born at home, no birth notice: a statement from a witness",
                ],
                "steps": [
                    "Go to the commune's Public Administration Service Centre, or "
                    "apply online.",
                    "Fill in the birth registration form (ask for it at the desk).",
                    "The officer looks the data up on the computer and writes the "
                    "register.",
                    "Read the child's name and birth date again; sign the register.",
                    "Take the original birth certificate home.",
                ],
                "fee": (
                    "Free if registered within 60 days of the birth. Always free for "
                    "poor households, people with disabilities and families of people "
                    "with meritorious service. Later: a small fee, ask the officer."
                ),
                "time": (
                    "Same working day (received after 15:00: next working day)."
                ),
                "where": "Any commune will take it and pass it on.",
                "legal_basis": (
                    "Law on Civil Status 2014; Decree 123/2015/NĐ-CP as amended by "
                    "Decree 18/2026/NĐ-CP; Decree 120/2025/NĐ-CP."
                ),
                "sms_summary": (
                    "Bring your ID card. Birth notice only if the commune cannot find "
                    "it on the computer. Free within 60 days of the birth. Any commune."
                ),
                "officer_note": (
                    "Not yet checked: the amendments to Decree 123/2015/NĐ-CP; which "
                    "papers are replaced by data (Decision 3458/QĐ-BTP). Fill in Tây "
                    "Ninh's fee for late registration."
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
        "to_confirm": ["documents"],
        "content": {
            "vi": {
                "name": "Đăng ký khai tử",
                "summary": (
                    "Nhà có người mất thì đi khai tử trong 15 ngày. Vợ, chồng, con "
                    "hoặc cha mẹ đi làm. Cần giấy này để chia thừa kế, nhận tiền tử "
                    "tuất."
                ),
                "documents": [
                    "Thẻ căn cước, hoặc số định danh cá nhân, của người đi khai tử",
                    "Chỉ khi xã không tìm được trên máy tính: giấy báo tử, hoặc giấy "
                    "thay giấy báo tử (bản chính)",
                ],
                "steps": [
                    "Đến Trung tâm Phục vụ hành chính công của xã, hoặc nộp trên mạng.",
                    "Ghi tờ khai đăng ký khai tử (xin mẫu tại quầy).",
                    "Cán bộ tra dữ liệu trên máy tính và ghi vào sổ hộ tịch.",
                    "Ký vào sổ hộ tịch.",
                    "Nhận Trích lục khai tử.",
                ],
                "fee": (
                    "Miễn phí nếu khai tử trong 15 ngày sau khi mất. Hộ nghèo, người "
                    "khuyết tật, gia đình người có công luôn được miễn phí. Quá 15 "
                    "ngày: lệ phí nhỏ, hỏi cán bộ."
                ),
                "time": (
                    "Trong ngày làm việc. Nộp sau 15 giờ thì nhận vào ngày làm việc "
                    "tiếp theo."
                ),
                "where": "Nộp ở xã nào cũng được, xã nhận sẽ chuyển giúp.",
                "legal_basis": (
                    "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP, sửa đổi bởi Nghị định "
                    "18/2026/NĐ-CP; Nghị định 120/2025/NĐ-CP."
                ),
                "sms_summary": (
                    "Mang the can cuoc. Giay bao tu chi can khi xa khong tim duoc tren "
                    "may. Mien phi trong 15 ngay sau khi mat. Xong trong ngay."
                ),
                "officer_note": (
                    "Chưa đối chiếu giấy tờ nào đã thay bằng dữ liệu (Quyết định "
                    "3458/QĐ-BTP). Điền mức lệ phí khai tử quá hạn của tỉnh Tây Ninh."
                ),
            },
            "en": {
                "name": "Death registration",
                "summary": (
                    "Someone in the family died: register the death within 15 days. "
                    "The spouse, a child or a parent does it. You need the paper for "
                    "inheritance and death benefits."
                ),
                "documents": [
                    "ID card, or the personal ID number, of the person registering",
                    "Only if the commune cannot find it on the computer: death notice, "
                    "or a paper that replaces it (original)",
                ],
                "steps": [
                    "Go to the commune's Public Administration Service Centre, or "
                    "apply online.",
                    "Fill in the death registration form (ask for it at the desk).",
                    "The officer looks the data up on the computer and writes the "
                    "register.",
                    "Sign the civil register.",
                    "Take the death extract (trích lục khai tử).",
                ],
                "fee": (
                    "Free if registered within 15 days of the death. Always free for "
                    "poor households, people with disabilities and families of people "
                    "with meritorious service. Later: a small fee, ask the officer."
                ),
                "time": (
                    "Same working day (received after 15:00: next working day)."
                ),
                "where": "Any commune will take it and pass it on.",
                "legal_basis": (
                    "Law on Civil Status 2014; Decree 123/2015/NĐ-CP as amended by "
                    "Decree 18/2026/NĐ-CP; Decree 120/2025/NĐ-CP."
                ),
                "sms_summary": (
                    "Bring your ID card. Death notice only if the commune cannot find "
                    "it on the computer. Free within 15 days of the death. Same day."
                ),
                "officer_note": (
                    "Not yet checked: which papers are replaced by data (Decision "
                    "3458/QĐ-BTP). Fill in Tây Ninh's fee for late registration."
                ),
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
        "to_confirm": ["documents", "where"],
        "content": {
            "vi": {
                "name": "Đăng ký kết hôn",
                "summary": (
                    "Hai người Việt Nam ở trong nước muốn cưới thì đăng ký kết hôn. "
                    "Nam đủ 20 tuổi, nữ đủ 18 tuổi, tự nguyện, chưa có vợ hoặc chồng. "
                    "Không cần đi xin giấy độc thân ở xã khác: xã tra trên máy tính."
                ),
                "documents": [
                    "Thẻ căn cước, hoặc số định danh cá nhân, của cả hai người",
                    "Tờ khai đăng ký kết hôn (xin mẫu tại quầy, hoặc điền trên mạng)",
                    "Chỉ khi xã không tìm được trên máy tính: giấy ly hôn, hoặc trích "
                    "lục khai tử của vợ, chồng",
                ],
                "steps": [
                    "Nộp tờ khai tại Trung tâm Phục vụ hành chính công của xã, hoặc trên "
                    "mạng.",
                    "Cán bộ tra dữ liệu trên máy tính, xem hai người có đủ điều kiện.",
                    "Cả hai cùng đến xã, ký vào sổ hộ tịch và Giấy chứng nhận kết hôn.",
                    "Mỗi người nhận một bản chính Giấy chứng nhận kết hôn.",
                ],
                "fee": "Miễn phí cho mọi người (Luật Hộ tịch, Điều 11).",
                "time": (
                    "Trong ngày làm việc. Nếu cần xác minh thì không quá 5 ngày làm "
                    "việc."
                ),
                "where": "Nộp ở xã nào cũng được, xã nhận sẽ chuyển giúp.",
                "legal_basis": (
                    "Luật Hộ tịch 2014; Luật Hôn nhân và gia đình 2014; Nghị định "
                    "123/2015/NĐ-CP, sửa đổi bởi Nghị định 18/2026/NĐ-CP; Nghị định "
                    "120/2025/NĐ-CP."
                ),
                "sms_summary": (
                    "Ca hai cung den xa de ky. Mang the can cuoc cua 2 nguoi. Khong "
                    "can xin giay doc than o xa khac: xa tra tren may. Mien phi."
                ),
                "officer_note": (
                    "Chưa đối chiếu: giấy xác nhận tình trạng hôn nhân đã thay bằng dữ "
                    "liệu (Quyết định 3458/QĐ-BTP); nơi hai người đến ký khi nộp ở xã "
                    "khác (Nghị định 120/2025/NĐ-CP)."
                ),
            },
            "en": {
                "name": "Marriage registration",
                "summary": (
                    "Two Vietnamese citizens living in Viet Nam who want to marry "
                    "register here. He is 20 or older, she is 18 or older; both willing "
                    "and not married. No need to fetch a single-status paper from "
                    "another commune: the commune checks the computer."
                ),
                "documents": [
                    "ID cards, or personal ID numbers, of both partners",
                    "Marriage registration form (ask at the desk, or fill it in "
                    "online)",
                    "Only if the commune cannot find it on the computer: papers on a "
                    "divorce or a late former spouse",
                ],
                "steps": [
                    "Hand in the form at the commune's Public Administration Service "
                    "Centre, or online.",
                    "The officer looks the data up on the computer and checks you may "
                    "marry.",
                    "Both come to the commune and sign the register and the marriage "
                    "certificate.",
                    "Each partner takes one original marriage certificate.",
                ],
                "fee": "Free for everyone (Law on Civil Status, Art. 11).",
                "time": (
                    "Same working day; up to 5 working days if checks are needed."
                ),
                "where": "Any commune will take it and pass it on.",
                "legal_basis": (
                    "Law on Civil Status 2014; Law on Marriage and Family 2014; Decree "
                    "123/2015/NĐ-CP as amended by Decree 18/2026/NĐ-CP; Decree "
                    "120/2025/NĐ-CP."
                ),
                "sms_summary": (
                    "Both partners come to sign. Bring both ID cards. No need to fetch "
                    "a single-status paper from another commune: it is on the "
                    "computer. Free."
                ),
                "officer_note": (
                    "Not yet checked: the marital status certificate is replaced by "
                    "data (Decision 3458/QĐ-BTP); where the couple signs when they "
                    "file at another commune (Decree 120/2025/NĐ-CP)."
                ),
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
        "fee_vnd": 15000,
        "to_confirm": ["fee", "documents"],
        "content": {
            "vi": {
                "name": "Cấp Giấy xác nhận tình trạng hôn nhân",
                "summary": (
                    "Giấy cho biết bạn còn độc thân hay đã có vợ, chồng. Cần khi mua "
                    "bán nhà đất, vay vốn ngân hàng. Giấy dùng được 6 tháng."
                ),
                "documents": [
                    "Thẻ căn cước, hoặc số định danh cá nhân",
                    "Tờ khai, ghi rõ dùng giấy để làm gì (xin mẫu tại quầy)",
                    "Chỉ khi xã không tìm được trên máy tính: giấy ly hôn, hoặc trích "
                    "lục khai tử của vợ, chồng",
                ],
                "steps": [
                    "Đến Trung tâm Phục vụ hành chính công của xã, hoặc nộp trên mạng.",
                    "Nhận phiếu hẹn trả kết quả.",
                    "Nộp lệ phí, nếu không được miễn.",
                    "Đúng ngày hẹn, đến nhận Giấy xác nhận.",
                ],
                "fee": (
                    "15.000 đồng (mức của tỉnh Tây Ninh). Hộ nghèo, người khuyết tật, "
                    "gia đình người có công được miễn phí."
                ),
                "time": "3 ngày làm việc.",
                "where": "Nộp ở xã nào cũng được, xã nhận sẽ chuyển giúp.",
                "legal_basis": (
                    "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP, sửa đổi bởi Nghị định "
                    "18/2026/NĐ-CP; Nghị định 120/2025/NĐ-CP."
                ),
                "sms_summary": (
                    "Mang the can cuoc. Ghi ro muc dich tren to khai. Giay ly hon chi "
                    "can khi xa khong tim duoc tren may. Le phi 15.000d, ho ngheo "
                    "duoc mien phi. 3 ngay lam viec."
                ),
                "officer_note": (
                    "Mức 15.000 đồng là mức hay gặp, chưa đối chiếu nghị quyết của HĐND "
                    "tỉnh Tây Ninh: xã sửa cho đúng. Chưa đối chiếu giấy tờ nào đã thay "
                    "bằng dữ liệu (Quyết định 3458/QĐ-BTP)."
                ),
            },
            "en": {
                "name": "Marital status certificate",
                "summary": (
                    "A paper saying whether you are single or married. Needed to sell "
                    "land or take a bank loan. Valid for 6 months."
                ),
                "documents": [
                    "ID card, or your personal ID number",
                    "Request form; say what you need the paper for (ask at the desk)",
                    "Only if the commune cannot find it on the computer: divorce "
                    "decision, or the late spouse's death extract",
                ],
                "steps": [
                    "Go to the commune's Public Administration Service Centre, or "
                    "apply online.",
                    "Take the appointment slip.",
                    "Pay the fee, unless you are exempt.",
                    "On the appointment day, collect the certificate.",
                ],
                "fee": (
                    "15,000 VND (Tây Ninh province's figure). Free for poor households, "
                    "people with disabilities and families of people with meritorious "
                    "service."
                ),
                "time": "3 working days.",
                "where": "Any commune will take it and pass it on.",
                "legal_basis": (
                    "Law on Civil Status 2014; Decree 123/2015/NĐ-CP as amended by "
                    "Decree 18/2026/NĐ-CP; Decree 120/2025/NĐ-CP."
                ),
                "sms_summary": (
                    "Bring your ID card. Say on the form what it is for. Divorce paper "
                    "only if the commune cannot find it. Fee 15,000 VND, poor "
                    "households free. 3 working days."
                ),
                "officer_note": (
                    "15,000 VND is a common figure, not yet checked against Tây Ninh's "
                    "People's Council resolution: correct it. Not yet checked: which "
                    "papers are replaced by data (Decision 3458/QĐ-BTP)."
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
        "to_confirm": ["legal_basis", "fee", "where"],
        "content": {
            "vi": {
                "name": "Cấp bản sao trích lục hộ tịch",
                "summary": (
                    "Mất giấy khai sinh, giấy kết hôn, giấy khai tử? Xã in lại cho bạn. "
                    "Cần nhiều bản cũng được. Bạn hoặc người thân đi xin; người khác "
                    "cần giấy ủy quyền."
                ),
                "documents": [
                    "Thẻ căn cước, hoặc số định danh cá nhân, của người đi xin",
                    "Giấy ủy quyền, nếu xin giúp người không phải người thân",
                ],
                "steps": [
                    "Đến Trung tâm Phục vụ hành chính công của xã, hoặc nộp trên mạng.",
                    "Ghi tờ khai, nói rõ cần bao nhiêu bản.",
                    "Nộp phí 8.000 đồng mỗi bản.",
                    "Nhận bản sao trích lục.",
                ],
                "fee": (
                    "8.000 đồng mỗi bản. Hộ nghèo, người khuyết tật, gia đình người có "
                    "công được miễn phí."
                ),
                "time": (
                    "Trong ngày làm việc. Nộp sau 15 giờ thì nhận vào ngày làm việc "
                    "tiếp theo."
                ),
                "where": "Nộp ở xã nào cũng được, xã nhận sẽ chuyển giúp.",
                "legal_basis": (
                    "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP, sửa đổi bởi Nghị định "
                    "18/2026/NĐ-CP; Nghị định 120/2025/NĐ-CP; Thông tư 281/2016/TT-BTC."
                ),
                "sms_summary": (
                    "Mang the can cuoc; giay uy quyen neu xin giup nguoi khac. Phi "
                    "8.000d mot ban. Xong trong ngay. Nop tren mang: dichvucong.gov.vn."
                ),
                "officer_note": (
                    "Kiểm tra: Thông tư 281/2016/TT-BTC còn hiệu lực (8.000 đồng/bản); "
                    "phí bản sao có được miễn theo Điều 11 Luật Hộ tịch không; xã khác "
                    "nơi đăng ký có cấp bản sao được không."
                ),
            },
            "en": {
                "name": "Copies of civil status extracts",
                "summary": (
                    "Lost your birth, marriage or death paper? The commune prints it "
                    "again. You can get several copies. You or a relative can ask; "
                    "anyone else needs an authorisation."
                ),
                "documents": [
                    "ID card, or the personal ID number, of the person asking",
                    "An authorisation letter, if asking for someone not related",
                ],
                "steps": [
                    "Go to the commune's Public Administration Service Centre, or "
                    "apply online.",
                    "Fill in the form; say how many copies you need.",
                    "Pay 8,000 VND per copy.",
                    "Take the copies.",
                ],
                "fee": (
                    "8,000 VND per copy. Free for poor households, people with "
                    "disabilities and families of people with meritorious service."
                ),
                "time": (
                    "Same working day (received after 15:00: next working day)."
                ),
                "where": "Any commune will take it and pass it on.",
                "legal_basis": (
                    "Law on Civil Status 2014; Decree 123/2015/NĐ-CP as amended by "
                    "Decree 18/2026/NĐ-CP; Decree 120/2025/NĐ-CP; Circular "
                    "281/2016/TT-BTC."
                ),
                "sms_summary": (
                    "Bring your ID card; an authorisation if asking for someone else. "
                    "8,000 VND per copy. Same day. Online: dichvucong.gov.vn."
                ),
                "officer_note": (
                    "Check: Circular 281/2016/TT-BTC still in force (8,000 VND a copy); "
                    "whether Art. 11 of the Civil Status Law waives this copy fee; "
                    "whether another commune can issue the copy."
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
        "fee_vnd": 15000,
        "to_confirm": ["fee"],
        "content": {
            "vi": {
                "name": "Đăng ký nhận cha, mẹ, con",
                "summary": (
                    "Con sinh ra khi cha mẹ chưa đăng ký kết hôn? Làm thủ tục này để "
                    "ghi tên cha hoặc mẹ cho con. Dùng khi cả nhà ở trong nước và "
                    "không ai tranh chấp."
                ),
                "documents": [
                    "Thẻ căn cước, hoặc số định danh cá nhân, của người đi đăng ký",
                    "Tờ khai đăng ký nhận cha, mẹ, con (xin mẫu tại quầy)",
                    "Giấy xét nghiệm ADN, hoặc giấy của cơ sở y tế xác nhận quan hệ",
                    "Nếu không có: giấy cam đoan, kèm ít nhất hai người làm chứng",
                ],
                "steps": [
                    "Đến Trung tâm Phục vụ hành chính công của xã, hoặc nộp trên mạng.",
                    "Nhận phiếu hẹn trả kết quả.",
                    "Đúng ngày hẹn, người nhận và người được nhận cùng đến xã.",
                    "Ký vào sổ hộ tịch, nhận Trích lục đăng ký nhận cha, mẹ, con.",
                ],
                "fee": (
                    "15.000 đồng (mức của tỉnh Tây Ninh). Hộ nghèo, người khuyết tật, "
                    "gia đình người có công được miễn phí."
                ),
                "time": (
                    "3 ngày làm việc. Nếu cần xác minh thì thêm không quá 5 ngày làm "
                    "việc."
                ),
                "where": "Nộp ở xã nào cũng được, xã nhận sẽ chuyển giúp.",
                "legal_basis": (
                    "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP, sửa đổi bởi Nghị định "
                    "18/2026/NĐ-CP; Nghị định 120/2025/NĐ-CP."
                ),
                "sms_summary": (
                    "Mang the can cuoc, to khai, giay xet nghiem ADN hoac giay to chung "
                    "minh quan he. Hai ben cung den xa. Le phi 15.000d, ho ngheo duoc "
                    "mien phi. 3 ngay lam viec."
                ),
                "officer_note": (
                    "Mức 15.000 đồng là mức hay gặp, chưa đối chiếu nghị quyết của HĐND "
                    "tỉnh Tây Ninh: xã sửa cho đúng."
                ),
            },
            "en": {
                "name": "Registering a father, mother or child",
                "summary": (
                    "Child born before the parents married? This records the father or "
                    "mother as the child's parent. For families living in Viet Nam, "
                    "when nobody disputes it."
                ),
                "documents": [
                    "ID card, or the personal ID number, of the person registering",
                    "Registration form (ask for it at the desk)",
                    "DNA test result or a health facility paper proving the relation",
                    "If none: a written pledge with at least two witnesses",
                ],
                "steps": [
                    "Go to the commune's Public Administration Service Centre, or "
                    "apply online.",
                    "Take the appointment slip.",
                    "On the appointment day, parent and child come to the commune.",
                    "Sign the civil register and take the extract.",
                ],
                "fee": (
                    "15,000 VND (Tây Ninh province's figure). Free for poor households, "
                    "people with disabilities and families of people with meritorious "
                    "service."
                ),
                "time": (
                    "3 working days; up to 5 more working days if checks are needed."
                ),
                "where": "Any commune will take it and pass it on.",
                "legal_basis": (
                    "Law on Civil Status 2014; Decree 123/2015/NĐ-CP as amended by "
                    "Decree 18/2026/NĐ-CP; Decree 120/2025/NĐ-CP."
                ),
                "sms_summary": (
                    "Bring: ID card, form, DNA result or other proof of the relation. "
                    "Both sides come. Fee 15,000 VND, poor households free. 3 working "
                    "days."
                ),
                "officer_note": (
                    "15,000 VND is a common figure, not yet checked against Tây Ninh's "
                    "People's Council resolution: correct it."
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
                    "Cần bản photo có dấu xã, giống bản chính? Ví dụ sổ đỏ, bằng cấp, "
                    "giấy khai sinh. Xã nào cũng làm, xong trong ngày. Giấy rách, tẩy "
                    "xóa, mờ thì không làm được."
                ),
                "documents": [
                    "Bản chính giấy tờ (còn nguyên, không tẩy xóa)",
                    "Bản photo cần chứng thực (hoặc photo tại quầy)",
                ],
                "steps": [
                    "Mang bản chính và bản photo đến Trung tâm Phục vụ hành chính công "
                    "của xã.",
                    "Cán bộ so bản photo với bản chính.",
                    "Nộp phí theo số trang.",
                    "Nhận lại bản chính và bản sao đã đóng dấu.",
                ],
                "fee": (
                    "2.000 đồng/trang cho trang 1 và 2, 1.000 đồng/trang từ trang 3. "
                    "Tối đa 200.000 đồng mỗi bản."
                ),
                "time": (
                    "Trong ngày làm việc. Nộp sau 15 giờ thì nhận vào ngày làm việc "
                    "tiếp theo."
                ),
                "where": "Xã nào cũng làm được.",
                "legal_basis": (
                    "Nghị định 23/2015/NĐ-CP; Nghị định 120/2025/NĐ-CP; Thông tư "
                    "226/2016/TT-BTC."
                ),
                "sms_summary": (
                    "Mang ban chinh con nguyen va ban photo. Phi 2.000d/trang "
                    "(trang 1-2), 1.000d/trang tu trang 3, toi da 200.000d/ban. "
                    "Xong trong ngay."
                ),
                "officer_note": "",
            },
            "en": {
                "name": "Certified copy from an original",
                "summary": (
                    "Need a photocopy stamped by the commune as true to the original? "
                    "For example a land certificate, a diploma, a birth certificate. "
                    "Any commune does it the same day. Torn, altered or unreadable "
                    "papers are refused."
                ),
                "documents": [
                    "The original paper (whole, not altered)",
                    "The photocopy to certify (or copy it at the desk)",
                ],
                "steps": [
                    "Bring the original and the photocopy to the commune's Public "
                    "Administration Service Centre.",
                    "The officer compares the copy with the original.",
                    "Pay the fee by the number of pages.",
                    "Take back the original and the stamped copy.",
                ],
                "fee": (
                    "2,000 VND a page for pages 1 and 2, 1,000 VND a page from page 3. "
                    "At most 200,000 VND per copy."
                ),
                "time": (
                    "Same working day (received after 15:00: next working day)."
                ),
                "where": "Any commune can do it.",
                "legal_basis": (
                    "Decree 23/2015/NĐ-CP; Decree 120/2025/NĐ-CP; Circular "
                    "226/2016/TT-BTC."
                ),
                "sms_summary": (
                    "Bring: the original and the photocopy. Fee 2,000 VND/page "
                    "(pages 1-2), 1,000 VND/page from page 3, max 200,000 VND per "
                    "copy. Same day."
                ),
                "officer_note": "",
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
                    "Cần xã xác nhận chữ ký là của bạn? Ví dụ trên đơn, giấy ủy quyền, "
                    "bản cam kết. Bạn tự đến, ký trước mặt cán bộ, đừng ký sẵn ở nhà. "
                    "Xã nào cũng làm được."
                ),
                "documents": [
                    "Thẻ căn cước hoặc hộ chiếu còn hạn (bản chính)",
                    "Giấy tờ cần chứng thực chữ ký (chưa ký)",
                ],
                "steps": [
                    "Tự mình đến Trung tâm Phục vụ hành chính công của xã.",
                    "Đưa thẻ căn cước và giấy tờ cho cán bộ.",
                    "Ký vào giấy tờ trước mặt cán bộ.",
                    "Nộp phí 10.000 đồng.",
                    "Nhận giấy tờ đã chứng thực.",
                ],
                "fee": "10.000 đồng mỗi trường hợp.",
                "time": (
                    "Trong ngày làm việc. Nộp sau 15 giờ thì nhận vào ngày làm việc "
                    "tiếp theo."
                ),
                "where": "Xã nào cũng làm được.",
                "legal_basis": (
                    "Nghị định 23/2015/NĐ-CP; Nghị định 120/2025/NĐ-CP; Thông tư "
                    "226/2016/TT-BTC."
                ),
                "sms_summary": (
                    "Ban than phai den, ky truoc mat can bo (khong ky san o nha). "
                    "Mang: giay to can ky, the can cuoc ban chinh. Phi 10.000d. Xong "
                    "trong ngay."
                ),
                "officer_note": "",
            },
            "en": {
                "name": "Signature certification",
                "summary": (
                    "Need the commune to confirm a signature is yours? For example on a "
                    "letter, an authorisation or a pledge. Come yourself and sign in "
                    "front of the officer, not at home. Any commune can do it."
                ),
                "documents": [
                    "ID card or valid passport (original)",
                    "The paper to be signed (not signed yet)",
                ],
                "steps": [
                    "Come to the commune's Public Administration Service Centre "
                    "yourself.",
                    "Hand your ID card and the paper to the officer.",
                    "Sign the paper in front of the officer.",
                    "Pay 10,000 VND.",
                    "Take the certified paper.",
                ],
                "fee": "10,000 VND per case.",
                "time": (
                    "Same working day (received after 15:00: next working day)."
                ),
                "where": "Any commune can do it.",
                "legal_basis": (
                    "Decree 23/2015/NĐ-CP; Decree 120/2025/NĐ-CP; Circular "
                    "226/2016/TT-BTC."
                ),
                "sms_summary": (
                    "Come yourself and sign in front of the officer (not at home). "
                    "Bring: the paper, your ID card (original). Fee 10,000 VND. "
                    "Same day."
                ),
                "officer_note": "",
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
                    "Muốn nộp giấy tờ trên mạng nhiều lần mà không phải photo, chứng "
                    "thực lại? Xã quét bản chính, ký số, gửi tệp vào tài khoản của bạn "
                    "trên Cổng Dịch vụ công."
                ),
                "documents": [
                    "Thẻ căn cước",
                    "Bản chính giấy tờ (còn nguyên, không tẩy xóa)",
                    "Tài khoản VNeID mức 2 (để nhận tệp)",
                ],
                "steps": [
                    "Mang bản chính đến Trung tâm Phục vụ hành chính công của xã.",
                    "Cán bộ quét giấy tờ và ký số.",
                    "Nộp phí theo số trang.",
                    "Nhận lại bản chính ngay tại quầy.",
                    "Mở Cổng Dịch vụ công, xem tệp trong tài khoản của bạn.",
                ],
                "fee": (
                    "Như bản sao giấy: 2.000 đồng/trang cho trang 1 và 2, 1.000 "
                    "đồng/trang từ trang 3. Tối đa 200.000 đồng mỗi bản."
                ),
                "time": (
                    "Trong ngày làm việc. Nộp sau 15 giờ thì nhận vào ngày làm việc "
                    "tiếp theo."
                ),
                "where": "Xã nào cũng làm được.",
                "legal_basis": (
                    "Nghị định 23/2015/NĐ-CP; Nghị định 45/2020/NĐ-CP; Nghị định "
                    "120/2025/NĐ-CP; Thông tư 226/2016/TT-BTC."
                ),
                "sms_summary": (
                    "Mang ban chinh, the can cuoc; can tai khoan VNeID muc 2 de nhan "
                    "tep. Phi nhu ban sao giay: 2.000d/trang (trang 1-2), 1.000d/trang "
                    "tu trang 3."
                ),
                "officer_note": (
                    "Xã kiểm tra mã thủ tục (có nơi ghi chung mã 2.000815) và mức phí "
                    "bản sao điện tử (đang ghi như bản sao giấy, Thông tư "
                    "226/2016/TT-BTC)."
                ),
            },
            "en": {
                "name": "Electronic certified copy from an original",
                "summary": (
                    "Want to send a paper online many times without new certified "
                    "copies? The commune scans the original, signs it digitally and "
                    "puts the file in your account on the public service portal."
                ),
                "documents": [
                    "ID card",
                    "The original paper (whole, not altered)",
                    "A level-2 VNeID account (to receive the file)",
                ],
                "steps": [
                    "Bring the original to the commune's Public Administration Service "
                    "Centre.",
                    "The officer scans the paper and signs it digitally.",
                    "Pay the fee by the number of pages.",
                    "Take back your original at the desk.",
                    "Open the public service portal; find the file in your account.",
                ],
                "fee": (
                    "As for paper copies: 2,000 VND a page for pages 1 and 2, 1,000 VND "
                    "a page from page 3. At most 200,000 VND per copy."
                ),
                "time": (
                    "Same working day (received after 15:00: next working day)."
                ),
                "where": "Any commune can do it.",
                "legal_basis": (
                    "Decree 23/2015/NĐ-CP; Decree 45/2020/NĐ-CP; Decree "
                    "120/2025/NĐ-CP; Circular 226/2016/TT-BTC."
                ),
                "sms_summary": (
                    "Bring: the original, ID card; you need a level-2 VNeID account to "
                    "get the file. Fee as for paper copies: 2,000 VND/page (pages 1-2), "
                    "then 1,000."
                ),
                "officer_note": (
                    "The commune should confirm the procedure code (some list it under "
                    "2.000815) and the fee for electronic copies (now given as for "
                    "paper copies, Circular 226/2016/TT-BTC)."
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
        "fee_vnd": 100000,
        "to_confirm": ["national_code", "fee", "online_mode"],
        "content": {
            "vi": {
                "name": "Đăng ký thành lập hộ kinh doanh",
                "summary": (
                    "Mở tiệm tạp hóa, quán ăn, xưởng nhỏ? Đăng ký hộ kinh doanh để có "
                    "giấy chứng nhận. Một người hoặc cả hộ gia đình đều đăng ký được. "
                    "Từ 1/7/2025 xã làm việc này."
                ),
                "documents": [
                    "Thẻ căn cước, hoặc số định danh cá nhân, của chủ hộ kinh doanh",
                    "Giấy đề nghị đăng ký hộ kinh doanh (xin mẫu tại quầy)",
                    "Biên bản họp các thành viên hộ, nếu cả hộ cùng đăng ký",
                    "Giấy ủy quyền, nếu nhờ người khác đi nộp",
                ],
                "steps": [
                    "Đến Trung tâm Phục vụ hành chính công của xã, hoặc nộp trên mạng.",
                    "Nhận phiếu hẹn trả kết quả.",
                    "Nộp lệ phí 100.000 đồng.",
                    "Đúng ngày hẹn, nhận Giấy chứng nhận đăng ký hộ kinh doanh.",
                ],
                "fee": "100.000 đồng (mức của tỉnh Tây Ninh).",
                "time": "3 ngày làm việc.",
                "where": "Xã nơi đặt cửa hàng, quán, xưởng.",
                "legal_basis": "Nghị định 168/2025/NĐ-CP.",
                "sms_summary": (
                    "Mang the can cuoc chu ho, giay de nghi dang ky, bien ban hop gia "
                    "dinh neu ca ho dang ky. Le phi 100.000d. 3 ngay lam viec."
                ),
                "officer_note": (
                    "Xã kiểm tra mã thủ tục theo Nghị định 168/2025/NĐ-CP, mức lệ phí "
                    "của tỉnh Tây Ninh (đang ghi 100.000 đồng, mức hay gặp) và cách "
                    "nộp trên mạng."
                ),
            },
            "en": {
                "name": "Household business registration",
                "summary": (
                    "Opening a grocery, a food stall or a small workshop? Register a "
                    "household business to get the certificate. One person or a whole "
                    "household can register. Since 1 July 2025 the commune does it."
                ),
                "documents": [
                    "ID card, or the personal ID number, of the business owner",
                    "Household business registration form (ask for it at the desk)",
                    "Minutes of the household meeting, if the household registers",
                    "An authorisation letter, if someone files for you",
                ],
                "steps": [
                    "Go to the commune's Public Administration Service Centre, or "
                    "apply online.",
                    "Take the appointment slip.",
                    "Pay the 100,000 VND fee.",
                    "On the appointment day, collect the registration certificate.",
                ],
                "fee": "100,000 VND (Tây Ninh province's figure).",
                "time": "3 working days.",
                "where": "The commune where the business is.",
                "legal_basis": "Decree 168/2025/NĐ-CP.",
                "sms_summary": (
                    "Bring: owner's ID card, registration form, household meeting "
                    "minutes if the household registers. Fee 100,000 VND. 3 working "
                    "days."
                ),
                "officer_note": (
                    "The commune should confirm the procedure code under Decree "
                    "168/2025/NĐ-CP, Tây Ninh's fee (100,000 VND is a common figure) "
                    "and how to file online."
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
                    "Nộp hồ sơ ở nhà bằng điện thoại, khỏi xếp hàng. Cần tài khoản "
                    "VNeID mức 2. Không đưa mật khẩu, mã OTP cho ai. Bị lỗi thì gọi "
                    "xã, hoặc đến xã: tổ công nghệ số cộng đồng giúp. Đăng ký thường "
                    "trú do Công an xã làm."
                ),
                "documents": [
                    "Thẻ căn cước gắn chip",
                    "Điện thoại có số SIM đứng tên bạn",
                    "Ảnh chụp rõ các giấy tờ cần nộp",
                ],
                "steps": [
                    "Mang thẻ căn cước và điện thoại đến Công an xã. Xin tài khoản định "
                    "danh điện tử mức 2.",
                    "Cài ứng dụng VNeID. Bấm \"Kích hoạt tài khoản\", nhập mã trong tin "
                    "nhắn, đặt mật khẩu.",
                    "Vào dichvucong.gov.vn, bấm \"Đăng nhập\", chọn VNeID.",
                    "Nhập số định danh cá nhân và mật khẩu VNeID. Nhập mã OTP gửi về "
                    "điện thoại.",
                    "Tìm tên thủ tục, chọn xã, điền tờ khai. Gắn ảnh giấy tờ, nộp phí "
                    "nếu có, bấm \"Nộp hồ sơ\".",
                    "Ghi lại mã hồ sơ. Xem trên Cổng, hoặc nhắn TT và mã hồ sơ.",
                ],
                "fee": "Tạo tài khoản miễn phí. Lệ phí hồ sơ theo từng thủ tục.",
                "time": "Tạo tài khoản tại Công an xã; nộp hồ sơ trên mạng bất cứ lúc nào.",
                "where": (
                    "Ở nhà, trên điện thoại. Cần giúp: Trung tâm Phục vụ hành chính công "
                    "của xã. Đăng ký thường trú: Công an xã."
                ),
                "legal_basis": (
                    "Nghị định 224/2026/NĐ-CP; Nghị định 69/2024/NĐ-CP; "
                    "Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15."
                ),
                "sms_summary": (
                    "Can: the can cuoc gan chip, dien thoai co SIM dung ten ban. Den "
                    "Cong an xa lap VNeID muc 2, roi nop tai dichvucong.gov.vn. Can "
                    "giup: soan LH."
                ),
                "officer_note": (
                    "Tên nút trên màn hình có thể đổi theo phiên bản: tổ công nghệ "
                    "số cộng đồng kiểm tra lại."
                ),
            },
            "en": {
                "name": "Create a VNeID account and apply online",
                "summary": (
                    "Apply from home on your phone, with no queue. You need a level-2 "
                    "VNeID account. Never give your password or OTP to anyone. If it "
                    "fails, call or visit the commune: the community digital team "
                    "helps. Permanent residence is done by the commune police."
                ),
                "documents": [
                    "Chip ID card",
                    "A phone with a SIM registered in your name",
                    "Clear photos of the papers to submit",
                ],
                "steps": [
                    "Take your ID card and phone to the commune police. Ask for a "
                    "level-2 e-ID account.",
                    "Install the VNeID app. Tap \"Kích hoạt tài khoản\" (activate), type "
                    "the code from the SMS, set a password.",
                    "Open dichvucong.gov.vn, tap \"Đăng nhập\" (sign in), choose VNeID.",
                    "Type your personal ID number and VNeID password. Then type the OTP "
                    "sent to your phone.",
                    "Search the procedure, choose the commune, fill in the form. Attach "
                    "photos, pay if needed, tap \"Nộp hồ sơ\".",
                    "Write down the application code. Track it on the portal, or text TT "
                    "and the code.",
                ],
                "fee": "The account is free. Each procedure has its own fee.",
                "time": "Account at the commune police; apply online at any time.",
                "where": (
                    "At home, on your phone. For help: the commune's Public "
                    "Administration Service Centre. Permanent residence: the commune "
                    "police."
                ),
                "legal_basis": (
                    "Decree 224/2026/NĐ-CP; Decree 69/2024/NĐ-CP; "
                    "Personal Data Protection Law 91/2025/QH15."
                ),
                "sms_summary": (
                    "Need: chip ID card, phone with a SIM in your name. Get VNeID "
                    "level 2 at the commune police, then apply on dichvucong.gov.vn. "
                    "Help: text LH."
                ),
                "officer_note": (
                    "Button names on screen may change between versions: the "
                    "community digital team should check them."
                ),
            },
        },
    },
]
