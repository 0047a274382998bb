"""The product's size budgets (docs/DESIGN.md), in one place so that the guide editor refuses what
the tests and benchmarks would fail: a citizen on 2G pays for every byte."""

from __future__ import annotations

# A citizen page's HTML, gzip-compressed (level 9), must fit in 8 KB; everything on the first
# visit (HTML + CSS + any script) in 14 KB, one TCP initial window.
HTML_BUDGET = 8 * 1024
FIRST_VISIT_BUDGET = 14 * 1024

# SMS: a status reply is one GSM-7 segment; a guide at most two (issue 14: three segments cost a
# farmer three texts' worth of reading for what two say). The guide's SMS summary may use up to
# two segments on its own; the editor also checks that the whole reply fits without cutting it.
SMS_STATUS_SEGMENTS = 1
SMS_GUIDE_SEGMENTS = 2
SMS_SUMMARY_SEGMENTS = 2
