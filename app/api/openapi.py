"""The OpenAPI 3.0 document for ``/api/v1``, served at ``/api/v1/openapi.json``.

Written by hand next to the views and checked against them by schemathesis
(tests/api/test_api_schemathesis.py): every parameter pattern here is the one the views match in
full, so "valid by the document" and "accepted by the server" are the same thing.
"""

from __future__ import annotations

from app.api.parameters import (
    API_LIMIT,
    COMMUNE_PATTERN,
    DIGITS_PATTERN,
    DOSSIER_CODE_PATTERN,
    LANGS,
    PROCEDURE_CODE_PATTERN,
)
from app.guesses import CODE_ONLY_LIMIT, DIGITS_LIMIT
from app.models import NATIONAL_STATUS, ONLINE_MODES, STATUSES

S = "string"
NULL_STR = {"type": S, "nullable": True}
NULL_INT = {"type": "integer", "nullable": True}
NULL_NUM = {"type": "number", "nullable": True}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(props: dict, required: list[str] | None = None) -> dict:
    return {
        "type": "object",
        "properties": props,
        "required": list(props) if required is None else required,
    }


def _error(description: str) -> dict:
    return {
        "description": description,
        "headers": {"Access-Control-Allow-Origin": {"$ref": "#/components/headers/CORS"}},
        "content": {"application/json": {"schema": _ref("Error")}},
    }


def _ok(description: str, schema: str) -> dict:
    return {
        "description": description,
        "headers": {
            "ETag": {"$ref": "#/components/headers/ETag"},
            "Access-Control-Allow-Origin": {"$ref": "#/components/headers/CORS"},
        },
        "content": {"application/json": {"schema": _ref(schema)}},
    }


COMMON_ERRORS = {
    "304": {"description": "Not modified: the `If-None-Match` ETag still matches. No body."},
    "400": _error("A parameter is not valid; `field` names it."),
    "429": _error(f"Too many requests: {API_LIMIT} per client IP across the API."),
    "503": _error("The service has no office configured yet."),
}


def _op(
    summary: str, description: str, params: list[dict], ok: dict, extra: dict | None = None
) -> dict:
    return {
        "get": {
            "summary": summary,
            "description": description,
            "parameters": [*params, {"$ref": "#/components/parameters/IfNoneMatch"}],
            "responses": {"200": ok, **COMMON_ERRORS, **(extra or {})},
        }
    }


LANG = {"$ref": "#/components/parameters/Lang"}
COMMUNE = {"$ref": "#/components/parameters/Commune"}
NOT_FOUND = {"404": _error("Not found.")}


def _schemas() -> dict:
    summary = {
        "code": {"type": S, "description": "National code when known, else the slug."},
        "national_code": NULL_STR,
        "slug": {"type": S},
        "sms_keyword": {"type": S, "description": "Text `HD <keyword>` to get the guide by SMS."},
        "field": {"type": S},
        "field_label": {"type": S},
        "lang": {"type": S, "enum": list(LANGS), "description": "Language of the content."},
        "name": {"type": S},
        "summary": {"type": S},
        "takes_dossiers": {"type": "boolean", "description": "False for a how-to guide."},
        "processing_days": {**NULL_INT, "description": "Working days; 0 = the same day."},
        "online_mode": {"type": S, "enum": list(ONLINE_MODES)},
        "fee_vnd": NULL_INT,
        "guide_url": {"type": S, "format": "uri"},
        "url": {"type": S, "format": "uri"},
    }
    detail = {
        **summary,
        "documents": {"type": "array", "items": {"type": S}},
        "steps": {"type": "array", "items": {"type": S}},
        "fee": {"type": S},
        "time": {"type": S},
        "where": {"type": S},
        "legal_basis": {"type": S},
        "to_confirm": {
            "type": "array",
            "items": {"type": S},
            "description": "Facts the office has not yet confirmed against the national record: "
            "tell people to call an officer before they go.",
        },
        "online_guide_url": {
            **NULL_STR,
            "description": "The guide to filing online with VNeID, when this procedure can be "
            "filed online.",
        },
        "same_day_cutoff": {
            **NULL_STR,
            "description": "HH:MM; received later counts from the next working day.",
        },
        "portal_url": NULL_STR,
        "officers": {
            "type": "array",
            "items": _obj({"name": {"type": S}, "title": {"type": S}, "phone": {"type": S}}),
        },
        "updated_at": {"type": S, "format": "date-time"},
    }
    status = {"type": S, "enum": list(STATUSES)}
    dossier_props = {
        "code": {"type": S},
        "procedure": _obj({"code": {"type": S}, "name": {"type": S}}),
        "status": status,
        "status_label": {"type": S},
        "national_status": {
            **NULL_INT,
            "description": "National portal status code: "
            + ", ".join(f"{k}={v}" for k, v in NATIONAL_STATUS.items()),
        },
        "due_on": {
            "type": S,
            "format": "date",
            "nullable": True,
            "description": "The date the citizen was last given for the result (a later "
            "date from an apology for a late dossier); null once closed.",
        },
        "legal_due_on": {"type": S, "format": "date",
                         "description": "The legal due date (a late dossier stays late)."},
        "next_step": _obj({
            "kind": {"type": S, "enum": ["bring", "collect", "wait", "late", "refused", "done"],
                     "description": "The one thing to do next: bring papers by a date, "
                     "collect from a date, nothing (we text you), call (late), read the "
                     "refusal's reason, or nothing (closed)."},
            "papers": NULL_STR,
            "by": {**NULL_STR, "format": "date"},
            "since": {**NULL_STR, "format": "date"},
            "reason": NULL_STR,
        }),
        "full": {"type": "boolean", "description": "True when the phone digits matched."},
        "applicant_name": {"type": S},
        "channel": {"type": S, "enum": ["counter", "online", "post"]},
        "received_at": {"type": S, "format": "date-time"},
        "events": {
            "type": "array",
            "items": _obj(
                {
                    "status": status,
                    "status_label": {"type": S},
                    "at": {"type": S, "format": "date-time"},
                    "note": {"type": S},
                }
            ),
        },
        "officer": {**_obj({"name": {"type": S}, "phone": {"type": S}}), "nullable": True},
    }
    rate = {**NULL_NUM, "description": "Percent, one decimal; null when nothing to divide by."}
    indicator = _obj(
        {
            "key": {"type": S, "enum": ["on_time", "online", "satisfaction"]},
            "numerator": {"type": "integer"},
            "denominator": {"type": "integer", "minimum": 0},
            "ratio": rate,
            "target": {"type": "number"},
            "points": NULL_NUM,
            "max_points": {"type": "integer"},
        }
    )
    month = _obj(
        {
            "month": {"type": S, "pattern": "^[0-9]{4}-[0-9]{2}$"},
            "received": {"type": "integer", "minimum": 0},
            "online": {"type": "integer", "minimum": 0},
            "finished": {"type": "integer", "minimum": 0},
            "finished_on_time": {"type": "integer", "minimum": 0},
            "on_time_rate": rate,
            "online_share": rate,
        }
    )
    count = {"type": "integer", "minimum": 0}
    index = _obj(
        {
            "office": {"type": S},
            "period": _obj(
                {"from": {"type": S, "format": "date"}, "to": {"type": S, "format": "date"}}
            ),
            "as_of": {"type": S, "format": "date"},
            "received": count,
            "finished": count,
            "finished_on_time": count,
            "in_progress": count,
            "overdue_now": count,
            "overdue_with_apology": count,
            "overdue_without_apology": count,
            "refused": count,
            "on_time_rate": rate,
            "online_share": rate,
            "online_share_target": {"type": "number"},
            "avg_working_days": NULL_NUM,
            "satisfaction": _obj(
                {
                    "ratings": count,
                    "mean": NULL_NUM,
                    "good_share": rate,
                    "levels": _obj(
                        {"very_satisfied": count, "satisfied": count, "not_satisfied": count}
                    ),
                }
            ),
            "index_766": _obj(
                {
                    "points": {"type": "number"},
                    "max_points": {"type": "integer"},
                    "refused": count,
                    "indicators": {"type": "array", "items": indicator},
                }
            ),
            "months": {"type": "array", "items": month},
        }
    )
    return {
        "Error": _obj(
            {
                "error": {
                    "type": S,
                    "description": "Stable code: bad_request, not_found, too_many, unavailable, …",
                },
                "status": {"type": "integer"},
                "field": {"type": S, "description": "The parameter that is not valid."},
                "commune": {"type": S, "description": "other_commune: the commune the code "
                            "belongs to."},
                "url": {"type": S, "format": "uri", "description": "other_commune: where to "
                        "ask instead."},
            },
            ["error", "status"],
        ),
        "ProcedureSummary": _obj(summary),
        "ProcedureList": _obj(
            {
                "office": {"type": S},
                "lang": {"type": S, "enum": list(LANGS)},
                "procedures": {"type": "array", "items": _ref("ProcedureSummary")},
            }
        ),
        "Procedure": _obj(detail),
        "Dossier": _obj(
            dossier_props,
            ["code", "procedure", "status", "status_label", "national_status", "due_on", "full"],
        ),
        "Index": index,
    }


def document() -> dict:
    """The whole OpenAPI document, as a dict (served as JSON)."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "MotCua Lite open data API",
            "version": "1.0.0",
            "description": (
                "Read-only data of the commune one-stop desk: procedures and their guides, a "
                "dossier's status, and the public service index. JSON only, GET only, no "
                f"sign-in. Rate limit: {API_LIMIT} per client IP. CORS: any origin may read. "
                "Every 200 answer carries an ETag unless it holds personal data; send it back "
                "in If-None-Match to get 304."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/procedures": _op(
                "List procedures",
                "Active procedures and how-to guides, in the office's order.",
                [COMMUNE, LANG],
                _ok("The procedures.", "ProcedureList"),
                NOT_FOUND,
            ),
            "/procedures/{code}": _op(
                "One procedure's guide",
                "The guide in the requested language (falls back to Vietnamese, the source "
                "language; `lang` in the answer says which).",
                [
                    {
                        "name": "code",
                        "in": "path",
                        "required": True,
                        "description": "National code (e.g. 1.001193) or slug (e.g. khai-sinh).",
                        "schema": {"type": S, "pattern": PROCEDURE_CODE_PATTERN},
                    },
                    COMMUNE,
                    LANG,
                ],
                _ok("The guide.", "Procedure"),
                NOT_FOUND,
            ),
            "/dossiers/{code}": _op(
                "A dossier's status",
                "Without `phone_last4`: the procedure, status and due day only. With the last "
                "four digits of the phone given at filing: also the applicant's name, the "
                "timeline and the officer in charge (answered with Cache-Control: no-store). "
                "Wrong digits and an unknown code get the same 404. Lookups with digits are "
                f"limited to {DIGITS_LIMIT} per dossier, counted together with the status "
                "page and SMS; without digits, a code printed with check letters needs them, "
                f"and such lookups are limited to {CODE_ONLY_LIMIT} per address. The code's "
                "prefix names its commune; with `commune` set to another one, the answer is a "
                "404 `other_commune` that names the right one (`commune`, `url`), never the "
                "dossier.",
                [
                    {
                        "name": "code",
                        "in": "path",
                        "required": True,
                        "description": "The code on the appointment slip, e.g. VB-241115-0007-KQX.",
                        "schema": {"type": S, "pattern": DOSSIER_CODE_PATTERN},
                    },
                    {
                        "name": "phone_last4",
                        "in": "query",
                        "required": False,
                        "description": "Last four digits of the phone number given at filing.",
                        "schema": {"type": S, "pattern": DIGITS_PATTERN},
                    },
                    COMMUNE,
                    LANG,
                ],
                _ok("The dossier (partial or full, see `full`).", "Dossier"),
                NOT_FOUND,
            ),
            "/index": _op(
                "Public service index",
                "Headline rates for the last 12 months (the current month so far and the 11 "
                "before it) and the Decision 766/QĐ-TTg points the commune can measure. Counts "
                "and rates only, no personal data. Definitions: app/metrics.py.",
                [COMMUNE],
                _ok("The index.", "Index"),
                NOT_FOUND,
            ),
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.0 document.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        **COMMON_ERRORS,
                    },
                }
            },
        },
        "components": {
            "schemas": _schemas(),
            "parameters": {
                "Commune": {
                    "name": "commune",
                    "in": "query",
                    "required": False,
                    "description": "The commune, by its code as in its pages' address "
                    "(`vb` for /vb/). Default: the deployment's default commune; for a "
                    "dossier, the commune its code's prefix names.",
                    "schema": {"type": S, "pattern": COMMUNE_PATTERN},
                },
                "Lang": {
                    "name": "lang",
                    "in": "query",
                    "required": False,
                    "description": "Language of names and labels.",
                    "schema": {"type": S, "enum": list(LANGS), "default": "vi"},
                },
                "IfNoneMatch": {
                    "name": "If-None-Match",
                    "in": "header",
                    "required": False,
                    "description": "An ETag from an earlier answer; 304 when unchanged.",
                    "schema": {"type": S},
                },
            },
            "headers": {
                "ETag": {"description": "Entity tag for conditional GETs.", "schema": {"type": S}},
                "CORS": {"description": "Always `*`.", "schema": {"type": S}},
            },
        },
    }
