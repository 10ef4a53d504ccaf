"""The words for every fact path: the input template's column headers and meanings, zh and en.

One entry per field path (header zh, header en, meaning zh, meaning en). The input template
heads its columns with them and every output that names a fact (what to ask an applicant next)
uses the same words, so a bureau meets one name for one fact. A field added to a model without
words here fails the template's test rather than reaching a bureau with an English path.
"""

from __future__ import annotations

from greenrules._model.record_words import RECORD_WORDS

LIST_NOUNS: dict[str, dict[str, str]] = {
    "memberships": {"zh": "名单记录", "en": "list memberships"},
    "energy": {"zh": "产品能耗数据", "en": "energy figures"},
    "enterprises": {"zh": "园区企业", "en": "park enterprises"},
    "suppliers": {"zh": "供应商", "en": "suppliers"},
    "annual_reports": {"zh": "年报记录", "en": "annual reports"},
    "waivers": {"zh": "豁免说明", "en": "waivers"},
    "standing.abnormal_operation": {"zh": "未正常经营记录", "en": "abnormal-operation spells"},
    "standing.incidents": {"zh": "事故和违法记录", "en": "incidents or violations"},
    "standing.inspection_findings": {
        "zh": "督查发现的严重问题",
        "en": "serious supervision findings",
    },
    "standing.energy_rectification": {
        "zh": "未按要求整改的节能监察记录",
        "en": "open energy rectifications",
    },
    "standing.dishonest_debtor": {"zh": "失信被执行人记录", "en": "dishonest-debtor listings"},
}
"""What each list of facts is called, by its path."""

# path: (zh header, en header, zh meaning, en meaning)
FIELD_WORDS: dict[str, tuple[str, str, str, str]] = {
    "programme": ("申报类别", "programme", "申报的示范类别", "the programme applied for"),
    "credit_code": (
        "统一社会信用代码",
        "credit code",
        "营业执照上的18位统一社会信用代码",
        "the 18-character unified social credit code on the business licence",
    ),
    "name": ("单位名称", "name", "单位全称", "the unit's full name"),
    "city": (
        "所在盟市",
        "city",
        "所在盟市的6位行政区划代码",
        "the 6-digit division code of the city or league",
    ),
    "industry.code": (
        "行业代码",
        "industry code",
        "国民经济行业分类（GB/T 4754）代码",
        "the GB/T 4754 industry code",
    ),
    "industry.name": ("行业名称", "industry name", "所属行业名称", "the industry's name"),
    "industry.key_field": (
        "是否属于能效重点领域",
        "key energy field",
        "是否属于国家能效标杆水平覆盖的重点领域",
        "whether the industry is a key field of the national energy benchmarks",
    ),
    "water.key_water_user": (
        "是否重点用水企业",
        "key water user",
        "是否为重点用水企业（园区）",
        "whether the unit is a key water user",
    ),
    "water.water_saving_certified": (
        "是否节水型企业",
        "water-saving certified",
        "是否已获评节水型企业（园区）",
        "whether the unit is certified water-saving",
    ),
    "report.route": (
        "评价方式",
        "evaluation route",
        "评价报告由申报单位自评价还是第三方机构评价",
        "whether the evaluation report is the applicant's own or a third party's",
    ),
    "report.agency": (
        "评价机构统一社会信用代码",
        "agency credit code",
        "出具评价报告的第三方机构的统一社会信用代码（该机构须列在评价机构表）",
        "the credit code of the agency that wrote the report (listed on the agencies sheet)",
    ),
    "report.issued_on": (
        "评价报告日期",
        "report date",
        "评价报告出具日期",
        "the date the evaluation report was issued",
    ),
    "submitted_on": (
        "申报材料报送日期",
        "submitted on",
        "申报材料报送日期",
        "the date the application was submitted",
    ),
    "standing.removed_from_list": (
        "是否被撤销过示范称号",
        "removed from a list",
        "是否曾被移出绿色制造名单",
        "whether the unit was ever removed from a green manufacturing list",
    ),
    "standing.major_accident": (
        "列入名单后是否发生重大及以上事故",
        "major accident",
        "列入名单后是否发生重大及以上生产安全、质量事故或Ⅱ级（重大）及以上突发环境事件",
        "whether a major accident or level-II environmental emergency happened since listing",
    ),
    "standing.falsified_materials": (
        "是否提供虚假材料",
        "falsified materials",
        "提供的材料或数据是否被查实造假",
        "whether materials or data given to the authorities were found falsified",
    ),
    "standing.material_change": (
        "列入名单后是否发生重大变化",
        "material change",
        "列入名单后名称、范围、地址或边界是否发生重大变化",
        "whether name, scope, site or boundary changed materially since listing",
    ),
    "conformity.legal_entity": (
        "是否具有独立法人资格",
        "legal entity",
        "评价报告是否确认具有独立法人资格",
        "whether the report attests an independent legal person",
    ),
    "conformity.in_production": (
        "是否已建成投产",
        "in production",
        "评价报告是否确认已建成投产",
        "whether the report attests the unit is built and producing",
    ),
    "conformity.management_systems": (
        "管理体系是否有效运行",
        "management systems",
        "评价报告是否确认管理体系有效运行",
        "whether the report attests working management systems",
    ),
    "conformity.beats_industry_average": (
        "绩效是否优于行业平均",
        "beats industry average",
        "评价报告是否确认相关绩效优于行业平均水平",
        "whether the report attests performance better than the industry average",
    ),
    "conformity.accepts_energy_supervision": (
        "是否接受节能监察",
        "accepts energy supervision",
        "是否接受节能监察、节能诊断等",
        "whether the unit accepts energy supervision and diagnosis",
    ),
    "conformity.meets_evaluation_standard": (
        "是否达到评价标准",
        "meets evaluation standard",
        "评价报告是否确认达到评价标准要求",
        "whether the report attests the evaluation standard is met",
    ),
    "dynamic_form_filed_on": (
        "动态管理表报送日期",
        "dynamic form filed on",
        "已列入名单的单位本年度报送动态管理表的日期",
        "when a listed unit filed this year's dynamic-management form",
    ),
    "department_objection": (
        "征求意见部门是否有异议",
        "department objection",
        "盟市征求生态环境、应急管理、市场监管等部门意见时是否有部门提出异议",
        "whether a department consulted by the city objected",
    ),
    "resource_utilisation": (
        "是否以资源综合利用企业申报",
        "resource utilisation",
        "是否以资源综合利用企业身份申报（仅绿色工厂）",
        "whether the factory applies as a resource-utilisation enterprise (factories only)",
    ),
    "management_body": (
        "是否设有园区管理机构",
        "management body",
        "园区是否设有管理机构（仅园区）",
        "whether the park has a management body (parks only)",
    ),
    "industry_value_added_share": (
        "工业增加值占比",
        "industry value-added share",
        "园区工业增加值占园区生产总值的比例（仅园区）",
        "industry's share of the park's value added (parks only)",
    ),
    "cultivation_plan_published": (
        "是否发布绿色园区培育方案",
        "cultivation plan published",
        "园区是否发布绿色园区培育（创建）方案（仅园区）",
        "whether the park published a green-park cultivation plan (parks only)",
    ),
    "circular_transformation": (
        "是否完成循环化改造",
        "circular transformation",
        "园区是否开展循环化改造（仅园区）",
        "whether the park carried out a circular transformation (parks only)",
    ),
    "green_microgrid": (
        "是否建设绿色微电网",
        "green microgrid",
        "园区是否建设绿色微电网（仅园区）",
        "whether the park built a green microgrid (parks only)",
    ),
    "chain_role": (
        "供应链地位",
        "chain role",
        "在供应链中的地位（仅供应链管理企业）",
        "the enterprise's position in its chain (supply-chain enterprises only)",
    ),
    "annual_revenue_cny": (
        "年营业收入",
        "annual revenue",
        "上年度营业收入（仅供应链管理企业）",
        "last year's revenue (supply-chain enterprises only)",
    ),
    "market_share": (
        "市场占有率",
        "market share",
        "主要产品市场占有率（仅供应链管理企业）",
        "the main products' market share (supply-chain enterprises only)",
    ),
    "chain_complete": (
        "产业链是否完整",
        "chain complete",
        "产业链是否完整（仅供应链管理企业）",
        "whether the industrial chain is complete (supply-chain enterprises only)",
    ),
    "supplier_management_system": (
        "是否有供应商管理体系",
        "supplier management system",
        "是否建立完整的供应商管理体系（仅供应链管理企业）",
        "whether a supplier management system exists (supply-chain enterprises only)",
    ),
    "green_supplier_plan": (
        "是否有绿色供应商培育计划",
        "green supplier plan",
        "是否有在供应商中培育绿色工厂的计划（仅供应链管理企业）",
        "whether there is a plan to grow green factories among suppliers",
    ),
    "agencies.credit_code": (
        "机构统一社会信用代码",
        "agency credit code",
        "第三方评价机构营业执照上的统一社会信用代码",
        "the agency's credit code, from its business licence",
    ),
    "agencies.name": ("机构名称", "agency name", "第三方评价机构全称", "the agency's full name"),
    "agencies.blacklisted_on": (
        "列入黑名单日期",
        "blacklisted on",
        "机构被列入黑名单的日期（未列入留空）",
        "when the agency was blacklisted (empty if never)",
    ),
    "agencies.registered_on": (
        "机构登记日期",
        "registered on",
        "第三方机构的登记（成立）日期",
        "the day the agency was registered",
    ),
    "agencies.national_projects": (
        "本年国家级评价项目数",
        "national projects",
        "本机构及同一法定代表人的机构本年承担的国家级评价项目数",
        "national evaluation projects this year, with agencies sharing its legal representative",
    ),
    "memberships.programme": (
        "名单类别",
        "list programme",
        "所列入名单的示范类别",
        "the programme of the list",
    ),
    "memberships.tier": ("名单层级", "list tier", "所列入名单的层级", "the tier of the list"),
    "memberships.year": (
        "公布年份",
        "year announced",
        "名单公布的年份",
        "the year the list was announced",
    ),
    "memberships.valid": (
        "是否仍有效",
        "still valid",
        "该名单资格是否仍然有效（留空视为有效）",
        "whether the place on the list is still valid (empty: valid)",
    ),
    "energy.product": (
        "产品及指标",
        "product",
        "产品及能耗指标，从下拉列表中选择现行标准中的产品",
        "the product and indicator, chosen from the products of the standards in force",
    ),
    "energy.value": (
        "单位产品能耗",
        "energy per unit",
        "该产品的单位产品能耗（越低越好，负值有效）",
        "energy per unit of the product (lower is better, negatives are real)",
    ),
    "energy.unit": ("计量单位", "unit", "能耗数值的计量单位", "the unit of the figure"),
    "enterprises.credit_code": (
        "企业统一社会信用代码",
        "enterprise credit code",
        "园区内企业的统一社会信用代码",
        "the credit code of an enterprise in the park",
    ),
    "enterprises.name": ("企业名称", "enterprise name", "园区内企业全称", "the enterprise's name"),
    "suppliers.credit_code": (
        "供应商统一社会信用代码",
        "supplier credit code",
        "供应商的统一社会信用代码",
        "the supplier's credit code",
    ),
    "suppliers.name": ("供应商名称", "supplier name", "供应商全称", "the supplier's name"),
    "annual_reports.year": (
        "年报所属年度",
        "report year",
        "年报应报送的年度",
        "the year the report was due",
    ),
    "annual_reports.filed_on": (
        "年报报送日期",
        "filed on",
        "年报实际报送日期",
        "when the report was filed",
    ),
    "waivers.rule": (
        "豁免的规则编号",
        "rule",
        "申请豁免的“原则上”要求的规则编号",
        "the id of the in-principle rule the waiver is for",
    ),
    "waivers.justification": (
        "豁免理由",
        "justification",
        "书面说明（不少于10个字），供审核人员判断",
        "the written justification (10 characters or more) for a reviewer",
    ),
}

FIELD_WORDS.update(RECORD_WORDS)

MEMBER_RECORD = ("removed_from_list", "removed_on", "major_accident", "falsified_materials",
                 "material_change")  # fmt: skip
"""A park's resident or a supplier answers the yes/no questions of its own record too."""
for _member in ("enterprises", "suppliers"):
    for _name in MEMBER_RECORD:
        FIELD_WORDS[f"{_member}.standing.{_name}"] = FIELD_WORDS[f"standing.{_name}"]


def fact_label(path: str) -> tuple[str, str]:
    """The zh and en label of any fact path a rule reads, in the template's words.

    A fact of the report's agency is the agencies sheet's; a fact inside a list item (a park
    enterprise's memberships) takes the item's own words, after the list's name; a dated
    record's generic column (its start, its end) after the record's name too.
    """
    if path.startswith("report.agency."):
        path = "agencies." + path.removeprefix("report.agency.")
    parts = path.split(".")
    for start in range(len(parts)):
        rest = ".".join(parts[start:])
        words = FIELD_WORDS.get(rest)
        zh, en = (words[0], words[1]) if words else _list_words(rest)
        if zh:
            inner = _prefixes(parts[start:-1]) if rest in RECORD_WORDS else []
            lists = [LIST_NOUNS[p] for p in _prefixes(parts[:start]) if p in LIST_NOUNS]
            lists += [LIST_NOUNS[p] for p in inner if p in LIST_NOUNS]
            if lists and lists[-1]["zh"] == zh:
                lists = lists[:-1]
            return "".join(f"{n['zh']}·" for n in lists) + zh, "".join(
                f"{n['en']}: " for n in lists
            ) + en
    return path, path  # unreachable for a path of the entity models: every field has words


def _list_words(path: str) -> tuple[str, str]:
    noun = LIST_NOUNS.get(path)
    return (noun["zh"], noun["en"]) if noun else ("", "")


def _prefixes(parts: list[str]) -> list[str]:
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
