"""The centre's defaults for closing and scoring (DESIGN.md §4 "Scoring", "Default closing materials").

The migration ``0004_scoring`` holds its own frozen copy of the first checklist versions (a migration
must not change when this file does); this module is what the code, the tests and the demo read.
"""

from __future__ import annotations

import datetime as dt

# The hand-in and retainer limits live with every other limit in assignment.deadlines.
# DESIGN.md §4 "Scoring"; each may be changed through the SCORING setting (legalaid.rules).
SCORING = {
    "appeal_days": 10,  # the provider may appeal within 10 days
    "second_marking_gap": 10,  # a gap over 10 points goes to a third marker
    "sample_rate": 0.10,  # the double-marking sample
    "sample_seed": "legalaid-double-marking",
}

GRADES = ("excellent", "good", "pass", "fail")
# Lower bounds of the half-open bands: 优秀 [90, 100], 良好 [80, 90), 合格 [60, 80), 不合格 [0, 60).
DEFAULT_GRADE_BANDS = {"excellent": 90, "good": 80, "pass": 60}

# Law art. 48: grounds on which legal aid is terminated.
TERMINATION_GROUNDS = (
    "means_changed",  # the client's means no longer qualify
    "improper_purpose",  # legal aid used for an unlawful or improper purpose
    "own_counsel",  # the client instructed a lawyer or representative of their own
    "client_request",  # the client asked to end the legal aid
    "other_statutory",  # another ground the law provides
)
OUTCOMES = (
    "judgment",
    "ruling",
    "mediation",
    "settlement",
    "arbitration_award",
    "withdrawal",
    "non_prosecution",
    "agreement",
    "other",
)

# (code, label_zh, label_en, {case_type: required})
CLOSING_DOCUMENTS: list[tuple[str, str, str, dict[str, bool]]] = [
    (
        "closing_report",
        "结案报告表",
        "Closing report",
        {"criminal": True, "civil": True, "administrative": True, "non_litigation": True},
    ),
    (
        "retainer",
        "委托协议、授权委托书",
        "Retainer and power of attorney",
        {"criminal": True, "civil": True, "administrative": True, "non_litigation": True},
    ),
    (
        "meeting_records",
        "会见笔录",
        "Client meeting records",
        {"criminal": True, "civil": True, "administrative": True, "non_litigation": True},
    ),
    ("file_reading_notes", "阅卷笔录", "File-reading notes", {"criminal": True}),
    (
        "evidence",
        "证据材料",
        "Evidence",
        {"civil": True, "administrative": True, "non_litigation": False},
    ),
    (
        "pleadings",
        "起诉状、答辩状",
        "Statement of claim or defence",
        {"civil": False, "administrative": False},
    ),
    ("defence_statement", "辩护词", "Defence statement", {"criminal": True}),
    (
        "representation_statement",
        "代理词",
        "Representation statement",
        {"civil": True, "administrative": True},
    ),
    (
        "outcome_document",
        "判决书、裁定书、调解书或达成的协议",
        "Outcome document (judgment, ruling, mediation statement or agreement)",
        {"criminal": True, "civil": True, "administrative": True, "non_litigation": True},
    ),
]

# Items a rule can judge; the scorer sees the suggestion with its reason and may override it.
AUTO_RETAINER = "retainer_timeliness"
AUTO_HAND_IN = "hand_in_timeliness"
AUTO_HEARING = "hearing_observation"
AUTO_RED_FLAG = "red_flag"

FIRST_EFFECTIVE_DATE = dt.date(2021, 1, 1)  # the Legal Aid Law took effect


def _item(code, zh, en, points, guidance, evidence, auto=None) -> dict:
    return {
        "code": code,
        "label_zh": zh,
        "label_en": en,
        "max_points": points,
        "guidance": guidance,
        "evidence": evidence,
        "auto": auto,
    }


def _litigation_items(case_type: str) -> list[dict]:
    criminal = case_type == "criminal"
    # DESIGN.md §4: criminal / civil-administrative maximums.
    return [
        _item(
            "retainer",
            "委托手续及时办理",
            "Retainer established on time",
            8,
            "指派后5日内签订委托协议、授权委托书（程序规定第27条）。",
            "委托协议、授权委托书的签署日期。",
            AUTO_RETAINER,
        ),
        _item(
            "client_meeting",
            "会见受援人",
            "Meeting the client",
            15 if criminal else 12,
            "及时会见受援人，了解案情并听取意见；刑事案件按规定会见在押人员。",
            "会见笔录（时间、地点、内容、签名）。",
        ),
        _item(
            "file_reading",
            "阅卷",
            "Reading the case file",
            12 if criminal else 8,
            "全面查阅案卷材料，摘录要点。",
            "阅卷笔录、摘抄或复制的案卷材料。",
        ),
        _item(
            "investigation",
            "调查取证",
            "Investigation and evidence",
            10 if criminal else 15,
            "围绕争议焦点调查收集证据，必要时申请调取。",
            "调查笔录、证据清单、申请书。",
        ),
        _item(
            "legal_opinion",
            "辩护或代理意见",
            "Legal opinions (defence or representation statement)",
            20,
            "意见观点明确、事实清楚、法律依据充分。",
            "辩护词或代理词，书面意见被采纳的情况。",
        ),
        _item(
            "hearing",
            "出庭",
            "Hearing participation",
            15,
            "按时出庭，庭前准备充分，发问、质证、辩论得当；参考庭审旁听评价。",
            "庭审笔录、旁听评价表、办案机关意见。",
            AUTO_HEARING,
        ),
        _item(
            "inform_client",
            "告知义务",
            "Duty to inform the client",
            5 if criminal else 7,
            "及时告知受援人案件进展、权利义务与风险。",
            "告知记录、受援人回访意见。",
        ),
        _item(
            "reporting",
            "报告义务",
            "Reporting duty",
            5,
            "重大、疑难情况及案件变化及时向法律援助机构报告。",
            "报告记录、请示材料。",
        ),
        _item(
            "closing_materials",
            "结案材料齐全及时",
            "Closing materials complete and on time",
            10,
            "结案后30日内提交齐全的承办材料。",
            "材料清单与提交日期。",
            AUTO_HAND_IN,
        ),
    ]


def _non_litigation_items() -> list[dict]:
    # Non-litigation (mediation, negotiation, drafting, representation before an authority): the
    # court-specific items give way to the work that resolves the matter out of court.
    return [
        _item(
            "retainer",
            "委托手续及时办理",
            "Retainer established on time",
            8,
            "指派后5日内签订委托协议、授权委托书（程序规定第27条）。",
            "委托协议、授权委托书的签署日期。",
            AUTO_RETAINER,
        ),
        _item(
            "client_meeting",
            "会见受援人、了解事实",
            "Meeting the client and establishing the facts",
            15,
            "及时约见受援人，弄清事实与诉求。",
            "谈话笔录。",
        ),
        _item(
            "investigation",
            "调查取证",
            "Investigation and evidence",
            15,
            "收集与事项相关的材料和证据。",
            "调查笔录、证据材料。",
        ),
        _item(
            "legal_opinion",
            "法律意见与方案",
            "Legal opinion and plan of action",
            20,
            "法律意见准确，方案可行；代书文书规范。",
            "法律意见书、代书文书。",
        ),
        _item(
            "negotiation",
            "协商、调解或代理",
            "Negotiation, mediation or representation before the authority",
            20,
            "积极协商调解或向有关机关代理，维护受援人权益。",
            "协商、调解记录，达成的协议或处理结果。",
        ),
        _item(
            "inform_client",
            "告知义务",
            "Duty to inform the client",
            7,
            "及时告知受援人事项进展与风险。",
            "告知记录、受援人回访意见。",
        ),
        _item(
            "reporting",
            "报告义务",
            "Reporting duty",
            5,
            "重大情况及时向法律援助机构报告。",
            "报告记录。",
        ),
        _item(
            "closing_materials",
            "结案材料齐全及时",
            "Closing materials complete and on time",
            10,
            "办结后30日内提交齐全的承办材料。",
            "材料清单与提交日期。",
            AUTO_HAND_IN,
        ),
    ]


VETO_ITEMS: list[dict] = [
    {
        "code": "took_money",
        "label_zh": "收取受援人财物",
        "label_en": "Took money or property from the client",
        "guidance": "法律援助法第20条禁止收取任何财物；回访红旗经核实的一票否决。",
        "evidence": "回访记录、投诉、核查结论。",
        "auto": AUTO_RED_FLAG,
    },
    {
        "code": "stopped_work",
        "label_zh": "擅自终止法律援助",
        "label_en": "Stopped work without authorisation",
        "guidance": "未经法律援助机构同意停止办理。",
        "evidence": "案卷、受援人投诉、办案机关意见。",
        "auto": None,
    },
    {
        "code": "missed_deadline",
        "label_zh": "延误期限致受援人丧失权利",
        "label_en": "A missed deadline cost the client a right",
        "guidance": "因承办人过错超过上诉、举证等期限，受援人丧失相应权利。",
        "evidence": "期限节点与实际办理日期。",
        "auto": None,
    },
]


def default_checklists() -> list[dict]:
    """The first versions: one per case type (civil and administrative share the same items)."""
    return [
        {
            "case_type": case_type,
            "name": name,
            "items": items,
            "vetoes": VETO_ITEMS,
        }
        for case_type, name, items in (
            ("criminal", "刑事案件百分考核表", _litigation_items("criminal")),
            ("civil", "民事案件百分考核表", _litigation_items("civil")),
            ("administrative", "行政案件百分考核表", _litigation_items("administrative")),
            ("non_litigation", "非诉讼事项百分考核表", _non_litigation_items()),
        )
    ]
