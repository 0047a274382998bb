"""The product's size budgets (docs/DESIGN.md), in one place so that the guide editor refuses what
the tests and benchmarks would fail: a citizen on 2G pays for every byte."""

from __future__ import annotations

# A citizen page's HTML, gzip-compressed (level 9), must fit in 8 KB; everything on the first
# visit (HTML + CSS + any script) in 14 KB, one TCP initial window.
HTML_BUDGET = 8 * 1024
FIRST_VISIT_BUDGET = 14 * 1024

# SMS: a status reply is one GSM-7 segment; a guide at most three. The guide's SMS summary may
# use two of them, leaving one for the procedure's name, the link and the office's number.
SMS_STATUS_SEGMENTS = 1
SMS_GUIDE_SEGMENTS = 3
SMS_SUMMARY_SEGMENTS = 2
