"""The round-records template's words: its sheets, headers and meanings, in Chinese and English.

Listed units' exclusion records and the agencies' sheets keep the applicants' template's words
(the same fields, the same sheets); only what a round adds is worded here, one entry per path:
header zh, header en, meaning zh, meaning en.
"""

from __future__ import annotations

ROUND_SHEETS: dict[str, tuple[str, str]] = {
    "round": ("轮次信息", "round"),
    "region": ("自治区工作", "region department"),
    "cities": ("盟市报送", "city submissions"),
    "consulted": ("征求意见部门", "departments consulted"),
    "objections": ("部门异议", "objections"),
    "recommended": ("推荐名单", "recommendation lists"),
    "listed_units": ("已入选单位", "listed units"),
    "forms": ("动态管理表", "dynamic-management forms"),
}
"""The sheets only the round-records template has, by key: (zh, en)."""

DEPARTMENT_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "ecology_environment": "生态环境部门",
        "emergency_management": "应急管理部门",
        "market_regulation": "市场监管部门",
        "other": "其他部门",
    },
    "en": {
        "ecology_environment": "ecology and environment",
        "emergency_management": "emergency management",
        "market_regulation": "market regulation",
        "other": "other department",
    },
}
"""The label of each department a city bureau consults."""

ROUND_OWNER_WORDS: dict[str, tuple[str, str, str, str]] = {
    "cities": ("盟市代码", "city code",
        "本行所属盟市的6位行政区划代码（须在“盟市报送”表中）",
        "the 6-digit code of the city this row belongs to (on the city submissions sheet)"),
    "listed_units": ("所属单位统一社会信用代码", "unit credit code",
        "本行所属已入选单位的统一社会信用代码（须在“已入选单位”表中）",
        "the credit code of the listed unit this row belongs to (on the listed units sheet)"),
}  # fmt: skip
"""The words of the column linking a list row to its city or listed unit."""

ROUND_FIELD_WORDS: dict[str, tuple[str, str, str, str]] = {
    "round.jurisdiction": ("地区", "jurisdiction", "本记录所属地区代码，如 CN-NM",
        "the jurisdiction the records belong to, e.g. CN-NM"),
    "round.round": ("年度", "round", "本记录所属的申报年度", "the round (year) of the records"),
    "round.source": ("记录来源", "source", "记录出自何处（台账名称、填表日期等）",
        "where the records come from (a register, the day written)"),
    "region.material_review_on": ("材料审查日期", "material review on",
        "自治区工信厅组织材料审查之日", "the day the region reviewed the materials"),
    "region.expert_review_on": ("专家评审日期", "expert review on",
        "组织专家评审之日", "the day of the expert review"),
    "region.publicity_from": ("公示开始日期", "publicity from",
        "名单开始公示之日", "the day the list's publicity began"),
    "region.published_on": ("名单发布日期", "published on",
        "自治区名单发布之日", "the day the region's list was published"),
    "region.national_upload_on": ("国家平台推荐日期", "national upload on",
        "向工业和信息化部平台推荐上传之日", "the day candidates were uploaded to MIIT's platform"),
    "cities.city": ("盟市代码", "city code", "报送盟市的6位行政区划代码",
        "the 6-digit division code of the sending city or league"),
    "cities.consulted.none": ("确认未征求意见", "consulted none",
        "填“是”表示确认未征求任何部门意见；留空且“征求意见部门”表中没有本盟市的行表示情况不详",
        "yes: known to have consulted no department; empty with no rows on "
        "'departments consulted': not known"),
    "cities.review_opinion_on": ("正式审核意见日期", "review opinion on",
        "盟市出具正式审核意见文件之日；未出具的留空",
        "the day the formal review opinion was issued; empty if none"),
    "cities.sent_on": ("报送日期", "sent on",
        "推荐名单、审核意见和申报材料送达自治区工信厅之日；未报送的留空",
        "the day list, opinion and materials reached the region; empty if not sent"),
    "cities.copies": ("纸质份数", "copies", "申报材料纸质版份数",
        "how many paper copies of the materials were sent"),
    "cities.electronic": ("含电子版", "electronic", "是否同时报送电子版",
        "whether the electronic version was sent too"),
    "consulted.item": ("征求意见部门", "department", "盟市征求意见的部门",
        "a department the city bureau consulted"),
    "objections.item": ("有异议单位统一社会信用代码", "credit code objected to",
        "被征求意见部门提出异议的单位的统一社会信用代码",
        "the credit code of a unit a consulted department objected to"),
    "recommended.credit_code": ("统一社会信用代码", "credit code",
        "推荐单位的18位统一社会信用代码", "the recommended unit's 18-character credit code"),
    "recommended.name": ("单位名称", "name", "推荐单位全称", "the recommended unit's full name"),
    "recommended.programme": ("申报类别", "programme", "推荐的示范类别",
        "the programme it is recommended for"),
    "recommended.tier": ("层级", "tier", "推荐层级，留空为自治区级",
        "the tier it is recommended at; empty: province"),
    "recommended.report_submitted_on": ("评价报告提交日期", "report submitted on",
        "单位向当地工信部门提交评价报告之日",
        "the day the unit gave its evaluation report to the local bureau"),
    "listed_units.programme": ("入选类别", "programme", "入选的示范类别",
        "the programme the unit is listed under"),
    "listed_units.tier": ("层级", "tier", "入选名单的层级", "the tier of the list it is on"),
    "listed_units.year": ("入选年度", "year announced", "入选名单公布的年度",
        "the year the unit was announced"),
    "listed_units.removed_on": ("移出日期", "removed on", "本轮动态管理移出名单之日；未移出的留空",
        "the day dynamic management removed the unit; empty if still listed"),
    "listed_units.removal_announced_on": ("移出公告日期", "removal announced on",
        "移出名单的公告日期", "the day the removal was announced"),
    "listed_units.standing.removed_on": ("以往移出公告日期", "earlier removal announced on",
        "以往最近一次被移出名单的公告日期（与本轮移出无关）",
        "the day an earlier removal from a list was announced (not this round's)"),
    "listed_units.review_materials_on": ("复核材料报送日期", "review materials on",
        "复核材料（表格及佐证材料）送达自治区节能处之日",
        "the day the review form and evidence reached the region's energy-saving division"),
    "forms.year": ("应报年度", "year due", "动态管理表应报送的年度",
        "the year the dynamic-management form was due"),
    "forms.filed_on": ("报送日期", "filed on", "动态管理表报送之日；未报送的留空",
        "the day the form was filed; empty if not filed"),
}  # fmt: skip
"""Every column the round-records template adds, by its path."""
