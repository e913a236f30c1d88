"""Every string of the status report, in English and Simplified Chinese, in one table.

``Strings("zh")("sheet_portfolio")`` is "项目组合"; a string with ``{fields}`` takes them
as keyword arguments. Numbers and dates are formatted for the language here too: as
text (``number``, ``date``) and as Excel number formats (``date_format``...), so a cell
and a sentence about it agree.
"""

from __future__ import annotations

from datetime import date, datetime

LANGUAGES = ("en", "zh")

TEXT: dict[str, tuple[str, str]] = {
    # sheet names (31 characters at most, no []:*?/\)
    "sheet_dashboard": ("Executive Summary", "执行摘要"),
    "sheet_portfolio": ("Portfolio", "项目组合"),
    "sheet_charts": ("Charts", "图表"),
    "sheet_heat": ("Risk Heat Map", "风险热力图"),
    "sheet_changes": ("Changes", "变更请求"),
    "sheet_since": ("Since", "变化"),
    "sheet_trend": ("Trend", "趋势"),
    "sheet_weekly": ("Weekly", "每周趋势"),
    "sheet_compliance": ("Compliance", "合规"),
    "sheet_resources": ("Resources", "资源"),
    # titles
    "report_title": ("PMO portfolio status", "PMO 项目组合状态"),
    "dashboard_title": ("Executive summary", "执行摘要"),
    "dashboard_heading": ("{report}: {page}", "{report}：{page}"),
    "subtitle": (
        "Generated {generated} from the synced portfolio (last sync {synced}); "
        "overdue as of {as_of}",
        "生成于 {generated}，数据来自已同步的项目组合（最近同步 {synced}）；逾期截至 {as_of}",
    ),
    "never": ("never", "从未"),
    "as_of": ("As of {date}", "截至 {date}"),
    "page_of": ("Page &P of &N", "第 &P 页，共 &N 页"),
    # the portfolio table
    "col_project": ("Project", "项目"),
    "col_name": ("Name", "名称"),
    "col_manager": ("Manager", "经理"),
    "col_rag": ("RAG", "状态"),
    "col_progress": ("Progress", "进度"),
    "col_spi": ("SPI", "SPI"),
    "col_cpi": ("CPI", "CPI"),
    "col_open_risks": ("Open risks", "未关闭风险"),
    "col_exposure": ("Exposure", "风险敞口"),
    "col_pending_changes": ("Pending changes", "待决变更"),
    "col_pending_cost": ("Pending cost", "待决成本"),
    "col_pending_days": ("Pending days", "待决工期（天）"),
    "col_overdue": ("Overdue", "逾期"),
    "col_last_sync": ("Last sync", "最近同步"),
    "col_key": ("Key", "编号"),
    "col_summary": ("Summary", "摘要"),
    "col_score": ("Score", "分值"),
    "col_level": ("Level", "等级"),
    "col_owner": ("Owner", "负责人"),
    "col_status": ("Status", "状态"),
    # RAG and levels (the labels every coloured cell carries)
    "rag_Red": ("Red", "红"),
    "rag_Amber": ("Amber", "黄"),
    "rag_Green": ("Green", "绿"),
    "level_low": ("Low", "低"),
    "level_medium": ("Medium", "中"),
    "level_high": ("High", "高"),
    "level_critical": ("Critical", "严重"),
    # KPI tiles
    "tile_projects": ("Projects", "项目"),
    "tile_projects_note": ("last sync {synced}", "最近同步 {synced}"),
    "tile_rag": ("Projects by RAG", "按状态统计项目"),
    "tile_risks": ("Open risks by level", "按等级统计未关闭风险"),
    "tile_risks_note": ("{count} open risk(s)", "共 {count} 项未关闭风险"),
    "tile_exposure": ("Risk exposure", "风险敞口"),
    "tile_exposure_note": ("sum of open risks' scores", "未关闭风险分值合计"),
    "tile_pending": ("Pending changes", "待决变更"),
    "tile_pending_note": ("cost {cost} · {days} day(s)", "成本 {cost} · 工期 {days} 天"),
    "tile_overdue": ("Overdue items", "逾期事项"),
    "tile_overdue_note": ("as of {date}", "截至 {date}"),
    "tile_spi": ("SPI range", "SPI 范围"),
    "tile_cpi": ("CPI range", "CPI 范围"),
    "tile_range_note": ("lowest – highest, {count} project(s)", "最低 – 最高，{count} 个项目"),
    "tile_no_budget": ("no budget figures yet", "尚无预算数据"),
    "no_value": ("–", "–"),
    # dashboard sections
    "section_portfolio": ("Portfolio", "项目组合"),
    "section_heat": ("Risk heat map", "风险热力图"),
    "section_top": ("Top risks", "主要风险"),
    "section_trends": ("Trends", "趋势"),
    "more_projects": ("and {count} more: see {sheet}", "另有 {count} 个项目：见 {sheet}"),
    "no_projects": ("No projects synced yet.", "尚无已同步的项目。"),
    "no_risks": ("No open risks.", "没有未关闭的风险。"),
    "heat_corner": ("Probability ↓  Impact →", "概率 ↓  影响 →"),
    # charts
    "chart_open_risks": ("Open risks per week", "每周未关闭风险"),
    "chart_exposure": ("Exposure per week", "每周风险敞口"),
    "chart_approved": ("Changes approved per week", "每周批准的变更"),
    "trend_default": (
        "Not enough history yet: trends appear after syncs in two different weeks",
        "历史数据不足：在两个不同的星期同步后才会显示趋势",
    ),
    "chart_progress": ("Progress per project", "各项目进度"),
    "chart_levels": ("Open risks by level per project", "各项目按等级的未关闭风险"),
    "chart_trend": (
        "Open risks over time (one point per sync cycle)",
        "未关闭风险变化（每次同步一点）",
    ),
    "axis_done": ("done", "完成"),
    "charts_first": (
        "The bar charts show the first {shown} of {total} projects; "
        "the Portfolio sheet lists them all.",
        "条形图显示 {total} 个项目中的前 {shown} 个；项目组合工作表列出全部项目。",
    ),
    "col_cycle": ("Cycle finished", "同步完成时间"),
    "col_week_end": ("Week ending", "周截止日"),
    "col_approved": ("Changes approved", "批准的变更"),
    # the heat map sheet
    "heat_title": (
        "Risk heat map: open risks by probability and impact",
        "风险热力图：按概率和影响统计未关闭风险",
    ),
    "heat_axes": ("Probability \\ Impact", "概率 \\ 影响"),
    "top_ten": ("Top 10 open risks by score", "分值最高的 10 项未关闭风险"),
    # the changes sheet
    "changes_title": ("Change requests", "变更请求"),
    "by_decision": ("By decision", "按决定"),
    "col_decision": ("Decision", "决定"),
    "col_count": ("Count", "数量"),
    "col_cost": ("Cost impact", "成本影响"),
    "col_schedule": ("Schedule impact (days)", "工期影响（天）"),
    "decision_pending": ("Pending", "待决"),
    "decision_approved": ("Approved", "已批准"),
    "decision_rejected": ("Rejected", "已拒绝"),
    "decision_deferred": ("Deferred", "已推迟"),
    "total_approved": ("Total approved", "批准合计"),
    "by_month": ("By month raised", "按提出月份"),
    "col_month": ("Month", "月份"),
    "col_total": ("Total", "合计"),
    "unknown": ("unknown", "未知"),
    # the since sheet
    "since_title": ("What changed since the baseline report", "自基准报告以来的变化"),
    "since_first": (
        "This is the first report: the next one will compare with it.",
        "这是第一份报告：下一份报告将与它比较。",
    ),
    "since_baseline": ("Baseline: the report of {at}", "基准：{at} 的报告"),
    "since_new": ("New open risks", "新增未关闭风险"),
    "since_closed": ("Risks closed (or out of scope)", "已关闭（或超出范围）的风险"),
    "since_rag": ("RAG changes (project, was, now)", "状态变化（项目、原状态、现状态）"),
    # the compliance sheet
    "compliance_title": ("Compliance with the PMO policy", "PMO 政策合规情况"),
    "compliance_subtitle": (
        "Policy {policy}, checked {at} over the synced portfolio (dates as of {as_of}). "
        "A score is the share of checks passed: Green from 90%, Amber from 70%, Red below.",
        "政策 {policy}，于 {at} 对已同步的项目组合检查（日期截至 {as_of}）。"
        "得分为通过的检查项所占比例：90% 及以上为绿，70% 及以上为黄，低于 70% 为红。",
    ),
    "section_scores": ("Score by project", "各项目得分"),
    "col_compliance": ("Score", "得分"),
    "col_rating": ("Rating", "评级"),
    "col_checks": ("Checks", "检查项"),
    "col_passed": ("Passed", "通过"),
    "col_errors": ("Errors", "错误"),
    "col_warnings": ("Warnings", "警告"),
    "col_info": ("Info", "提示"),
    "severity_error": ("Error", "错误"),
    "severity_warning": ("Warning", "警告"),
    "severity_info": ("Info", "提示"),
    "compliance_total": ("Whole portfolio", "整个项目组合"),
    "nothing_checked": ("nothing to check", "无可检查项"),
    "no_checked_projects": ("No projects to check yet.", "尚无可检查的项目。"),
    "section_compliance_trend": (
        "Score trend (the last audit of each week)",
        "得分趋势（每周最后一次审计）",
    ),
    "compliance_trend_none": (
        "Not enough history yet: the score trend appears once audits were kept in two "
        "different weeks (every sync with [sync] policy set keeps one)",
        "历史数据不足：在两个不同的星期保存审计记录后才会显示得分趋势"
        "（设置了 [sync] policy 后，每次同步都会保存一次）",
    ),
    "compliance_trend_project": (
        "{project}: not enough history yet (audits in two different weeks are needed)",
        "{project}：历史数据不足（需要两个不同星期的审计记录）",
    ),
    "compliance_charts_first": (
        "The charts show the first {shown} of {total} projects; columns {columns} list "
        "every project's weekly scores.",
        "图表显示 {total} 个项目中的前 {shown} 个；{columns} 列列出所有项目的每周得分。",
    ),
    "chart_compliance": ("{project}: compliance score", "{project}：合规得分"),
    "section_breaches": ("Breaches: {count}", "违规：{count} 项"),
    "no_breaches": ("No breaches: every check passed.", "没有违规：所有检查均已通过。"),
    "col_rule": ("Rule", "规则"),
    "col_severity": ("Severity", "严重程度"),
    "col_why": ("Why", "原因"),
    "col_tell": ("Whom to tell", "通知对象"),
    # the Resources sheet
    "resources_title": ("Resources: capacity against demand", "资源：产能与需求"),
    "resources_subtitle": (
        "Utilisation per week (the Monday shown): open Jira work's remaining hours over "
        "the resource plan's capacity, as of {as_of}. Green below {amber}, Amber {amber} "
        "to {red}, Red above {red}; a dash: no capacity that week.",
        "每周利用率（显示周一）：Jira 未完成工作的剩余工时除以资源计划的产能，截至 {as_of}。"
        "低于 {amber} 为绿，{amber} 至 {red} 为黄，高于 {red} 为红；短横线：该周无产能。",
    ),
    "section_resource_heat": ("Utilisation by person and week", "按人员和周的利用率"),
    "col_person": ("Person", "人员"),
    "col_role": ("Role", "角色"),
    "col_team": ("Team", "团队"),
    "col_capacity_week": ("Capacity (h/week)", "产能（小时/周）"),
    "not_in_plan": ("not in the plan", "不在计划中"),
    "section_overallocated": (
        "Over-allocated (above {threshold}): {count}",
        "超负荷（高于 {threshold}）：{count} 项",
    ),
    "no_overallocated": (
        "Nobody is over-allocated in these weeks.",
        "这些周内没有人超负荷。",
    ),
    "col_week_of": ("Week of", "周（起）"),
    "col_utilisation": ("Utilisation", "利用率"),
    "col_demand_h": ("Demand (h)", "需求（小时）"),
    "col_capacity_h": ("Capacity (h)", "产能（小时）"),
    "col_drivers": ("Driving items (hours that week)", "主要事项（当周工时）"),
    "more_drivers": ("… and {count} more", "……另有 {count} 项"),
    "section_planned": (
        "Planned allocation against demand per project, {first} to {last}",
        "各项目计划分配与需求，{first} 至 {last}",
    ),
    "col_planned_h": ("Planned (h)", "计划（小时）"),
    "col_difference_h": ("Demand − planned (h)", "需求 − 计划（小时）"),
    "col_ratio": ("Demand / planned", "需求/计划"),
    "no_project": ("(no project)", "（无项目）"),
    "no_plans": ("Neither allocations nor demand in these weeks.", "这些周内既无分配也无需求。"),
    "section_unassigned": ("Unassigned open work: {count}", "未分配的未完成工作：{count} 项"),
    "no_unassigned": ("Every open work item has an assignee.", "所有未完成工作事项均已分配。"),
    "col_hours_left": ("Hours left", "剩余工时"),
    "col_due": ("Due", "到期"),
    "no_estimate": ("no estimate", "无估算"),
    "section_resource_problems": ("Not fully counted: {count}", "未完全计入：{count} 项"),
    "no_resource_problems": (
        "Every plan row and work item was counted as it is.",
        "所有计划行和工作事项均已按原样计入。",
    ),
    "col_row_or_item": ("Plan row or item", "计划行或事项"),
    "col_problem": ("Problem", "问题"),
}


class UnknownLanguage(ValueError):
    """A report language this table has no strings for."""

    def __init__(self, lang: str) -> None:
        super().__init__(f"unknown report language {lang!r}: use one of {', '.join(LANGUAGES)}")
        self.lang = lang


class Strings:
    """The report's words, numbers and dates in one language."""

    def __init__(self, lang: str = "en", title: str | None = None) -> None:
        """``title``: the portfolio's own name for the report ("Group IT portfolio"),
        shown as its title and in every page header instead of the default."""
        if lang not in LANGUAGES:
            raise UnknownLanguage(lang)
        self.lang = lang
        self._index = LANGUAGES.index(lang)
        self.title = title.strip() if title and title.strip() else None

    def __call__(self, key: str, **fields: object) -> str:
        if key == "report_title" and self.title:
            return self.title
        text = TEXT[key][self._index]
        return text.format(**fields) if fields else text

    def rag(self, value: str) -> str:
        return self(f"rag_{value}") if f"rag_{value}" in TEXT else value

    def level(self, value: str) -> str:
        return self(f"level_{value}") if f"level_{value}" in TEXT else value.capitalize()

    def severity(self, value: str) -> str:
        key = f"severity_{value}"
        return self(key) if key in TEXT else value.capitalize()

    def decision(self, value: str) -> str:
        key = f"decision_{value}"
        return self(key) if key in TEXT else value.capitalize()

    # Excel number formats ----------------------------------------------------------------
    @property
    def date_format(self) -> str:
        return 'yyyy"年"m"月"d"日"' if self.lang == "zh" else "yyyy-mm-dd"

    @property
    def datetime_format(self) -> str:
        return f"{self.date_format} hh:mm"

    integer_format = "#,##0"
    index_format = "0.00"
    percent_format = "0%"

    # text ------------------------------------------------------------------------------
    def number(self, value: float, decimals: int = 0) -> str:
        return f"{value:,.{decimals}f}"

    def date(self, value: date) -> str:
        if self.lang == "zh":
            return f"{value.year}年{value.month}月{value.day}日"
        return value.isoformat()[:10] if isinstance(value, datetime) else value.isoformat()

    def moment(self, value: datetime | None) -> str:
        if value is None:
            return self("never")
        return f"{self.date(value.date())} {value:%H:%M}"
