"""The words for a unit's dated exclusion records and its removal date, as the template heads them.

Each record (abnormal operation, incidents, supervision findings, energy rectification,
dishonest-debtor listings) is a sheet of dated rows; these are its columns' headers and
meanings, header zh, header en, then the meaning in zh and en.
"""

from __future__ import annotations

RECORD_WORDS: dict[str, tuple[str, str, str, str]] = {
    "standing.abnormal_operation.start": ("开始日期", "from",
        "注销、连续停产（12个月以上）或列入经营异常名录之日",
        "the day deregistered, production stopped (12+ months) or abnormal-listed"),
    "standing.abnormal_operation.end": ("结束日期", "to",
        "恢复正常经营之日；仍未恢复的留空",
        "the day normal operation resumed; empty while not"),
    "standing.incidents.happened_on": ("发生日期", "happened on",
        "信用记录中安全（含网络、数据安全）、质量、环境污染事故或偷漏税等违法行为的发生日期",
        "the day of an accident or an illegal act on the credit record"),
    "standing.inspection_findings.happened_on": ("发现日期", "found on",
        "国务院及有关部委督查发现严重问题之日",
        "the day State Council or ministry supervision found it"),
    "standing.energy_rectification.start": ("列入日期", "from",
        "列入工业节能监察整改名单之日",
        "the day put on the energy-supervision rectification list"),
    "standing.energy_rectification.end": ("整改完成日期", "rectified on",
        "按要求完成整改之日；尚未完成的留空",
        "the day rectified as required; empty while unfinished"),
    "standing.removed_on": ("移出公告日期", "removed on", "最近一次被移出名单的公告日期",
        "the day the latest removal from a list was announced"),
    "standing.dishonest_debtor.start": ("列入日期", "from",
        "被列为失信被执行人之日", "the day listed as a dishonest judgment debtor"),
    "standing.dishonest_debtor.end": ("移出日期", "to",
        "移出失信被执行人名单之日；仍在名单上的留空",
        "the day taken off the list; empty while on it"),
}  # fmt: skip
