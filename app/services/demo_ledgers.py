"""The demo register's year of ledgers: both lists (≈30 tasks each, some overdue, some 长期坚持,
some closed out with evidence), ≈50 problems from every source, and 3 督战对象 with their 台账, so
the 督战与销号 view is never empty on first start. Deterministic for a given seed; no E finding.

Tasks follow seed 002 (洮南市 2018 决胜年 list), dated in the demo's year.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.kernel.ledgers import parse_deadline
from app.models import (
    Household,
    Period,
    Problem,
    ResponsibilityList,
    SupervisionEntry,
    SupervisionTarget,
    Task,
    TaskProgress,
    TaskUnit,
    Unit,
)

from .supervision import remaining_by_unit

TASKS = (
    ('在组织推动方面', '驻村工作时间', '市级领导每两周至少要到所包保乡镇驻村工作1天，每年在所包村入户率要达到100%',
     '市级四个班子主要领导负责督促检查各包保乡镇市级领导驻村工作情况。',
     '长期坚持', '相关市级领导', '组织部、各乡镇', '张弘、各乡镇党委书记'),
    ('在组织推动方面', '扶贫工作日志', '各级包保工作人员要如实记录驻村期间扶贫产业项目实施、政策落实、走访入户及解决困难问题等各项工作开',
     '市级四个班子主要领导负责每月签字审核市级包保领导扶贫日志。',
     '长期坚持', '相关市级领导', '组织部、各乡镇', '张弘、各乡镇党委书记'),
    ('在组织推动方面', '乡镇扶贫工作专题党委会', '各乡镇要按时召开扶贫工作专题党委会，安排部署扶贫工作阶段性任务，研究解决入户走访发现的各类问题',
     '各乡镇每半月组织召开一次由乡镇党委成员及驻村工作队、村党支部书记和第一书记参加的“扶贫工作专题党委会”。',
     '长期坚持', '市级相关领导', '督查指挥中心、各乡镇', '张洪波、各乡镇党委书记'),
    ('在组织推动方面', '群众满意度', '确保群众对扶贫工作满意度达到90%以上',
     '扶贫办负责指导各级包保帮扶人员做好入户“五问四讲三看一化解”工作。',
     '6月30日、长期坚持', '王天昊', '扶贫办、各乡镇', '康明礼、各乡镇党委书记'),
    ('在精准识别退出方面', '贫困发生率', '确保全市综合贫困发生率低于2%',
     '扶贫办负责指导各乡镇，对辖区内农村群众开展滚动式入户摸底调查，符合纳入条件的按程序实时纳入。',
     '6月30日、长期坚持', '王天昊', '扶贫办、各乡镇', '康明礼、各乡镇党委书记'),
    ('在精准识别退出方面', '精准识别退出', '确保建档立卡贫困人口识别准确率达到100%，贫困户数据采集录入准确率达到100%',
     '各乡镇负责以行政村为单位，成立扶贫工作巩固回访小组，每半个月入户回访一次。',
     '6月30日、长期坚持', '王天昊', '扶贫办、各乡镇', '康明礼、各乡镇党委书记'),
    ('在档案资料管理方面', '资料张贴', '确保扶贫档案张贴规范，内容真实，与实际保持一致',
     '扶贫办负责督促各乡镇重新制作各行政村“脱贫攻坚战役图”，并在显要位置张贴，新图要体现2016年、2017年扶贫痕迹。',
     '6月30日、长期坚持', '王天昊', '扶贫办、各乡镇', '康明礼、各乡镇党委书记'),
    ('在档案资料管理方面', '档案管理', '将扶贫档案进行分级分类管理，确保与国家、省、白城市大数据信息无缝对接',
     '各乡镇负责安排专人担任扶贫专干，对乡村两级扶贫档案，按照统一分类、统一内容、统一样式、统一装订“四统一”标准。',
     '6月30日、长期坚持', '王天昊', '扶贫办、档案局、各乡镇', '康明礼、孙秀昌、各乡镇党委书记'),
    ('在产业项目方面', '项目收益率', '确保扶贫产业项目年收益率达到10%以上',
     '扶贫办负责为各乡镇自主谋划的产业项目，提供市场运营、营销策略、风险评估等方面指导。',
     '6月30日、长期坚持', '王天昊', '扶贫办、审计局、财政局', '康明礼、贾东升、陈铁强'),
    ('在产业项目方面', '项目分红', '通过实施扶贫增收产业项目，确保精准再识别前原重度贫困人口1633人，年人均分红达到3000元',
     '扶贫办负责每季度对全市统筹实施的“六大产业”扶贫项目和各乡镇自主谋划的32个扶贫项目收益分红情况跟踪调度；对未按时足额分。',
     '6月30日、长期坚持', '王天昊', '扶贫办、各乡镇', '康明礼、各乡镇党委书记'),
    ('在产业项目方面', '项目资产管理', '确保扶贫项目资产管理规范有序',
     '各乡镇负责监督指导所在地项目实施单位建立固定资产台账，录入全市固定资产管理信息系统。',
     '6月30日、长期坚持', '王天昊', '国资办、各乡镇', '刘成伟、各乡镇党委书记'),
    ('在产业项目方面', '庭院经济', '确保庭院经济所有行政村全覆盖，实现贫困户户均增收1300元以上',
     '农业局负责制定庭院经济实施方案，确定补贴标准，并做好种植技术指导。',
     '6月30日、长期坚持', '林继春', '农业局、财政局、各乡镇', '贾延厚、陈铁强、各乡镇党委书记'),
    ('在政策落实方面', '教育扶贫', '确保适龄儿童接受义务教育，家庭无因贫辍学学生',
     '教育局负责落实上级各项补助政策及我市教育扶贫相关政策，每月调度核实贫困家庭学生在校就读情况。',
     '6月30日、长期坚持', '董春玲、吴爽', '宣传部、扶贫办、教育局、交通局', '薛立杰、康明礼、王晔、赵江'),
    ('在政策落实方面', '基本养老保险', '确保符合参保条件的贫困人口城乡居民基本养老保险参保率达到98%以上',
     '社保局负责制定出台“建档立卡贫困人口养老保险费政府代缴政策实施意见”，认真核对各乡镇提交的参保手续。',
     '6月30日、长期坚持', '王天昊', '社保局、扶贫办、财政局、各乡镇', '吴长恩、康明礼、陈铁强、各乡镇党委书记'),
    ('在政策落实方面', '最低生活保障', '确保所有符合农村低保条件的贫困人口全部纳入低保范围',
     '民政局负责制定出台提高城乡低保保障标准方案，通过差额补助确保农村最低生活保障标准达到每年3600元。',
     '6月30日、长期坚持', '吴爽', '民政局、各乡镇', '魏宝军、各乡镇党委书记'),
    ('在政策落实方面', '农村新型合作医疗', '确保贫困人口参加农村新型合作医疗率≥98%，大病能够得到救助',
     '扶贫办负责每月提供贫困人口动态调整名单，标注应参未参贫困人口。',
     '长期坚持', '吴爽', '农合办、扶贫办', '郑秀梅、康明礼'),
    ('在政策落实方面', '安全住房', '确保贫困户住房安全比率达到98%以上',
     '各乡镇负责对辖区内群众住房进行全面排查，因户施策制定改造方案。',
     '9月30日', '石文博', '住建局、扶贫办、各乡镇', '侯文敏、康明礼、各乡镇党委书记'),
    ('在政策落实方面', '就业服务', '确保全年转移农村劳动力5.26万人次，提高农村群众工资性收入',
     '就业局负责会同各乡镇进行全面摸底调查，对有就业需求的农村群众，进行汇总梳理，开展有针对性的技能培训。',
     '6月30日、长期坚持', '王天昊', '就业局、各乡镇', '李晓坤、各乡镇党委书记'),
    ('在政策落实方面', '金融扶贫', '对全市建档立卡贫困人口进行评级授信，解决贷款前置问题',
     '金融办负责会同扶贫办对全市贫困人口进行全面排查，对排查出不符合规定程序、未评级授信、授信等级不符合实际情况的贫困人口。',
     '6月30日、长期坚持', '王天昊', '金融办、扶贫办、各乡镇', '温馨、康明礼、各乡镇党委书记'),
    ('在社会扶贫方面', '社会帮扶', '全年力争筹措社会扶贫资金1500万元，实现贫困人口微心愿5000个',
     '宣传部负责开展“日行一善·公益洮南”系列活动，利用公益洮南微信公众平台。',
     '9月30日', '董春玲、吴爽', '宣传部、扶贫办、民政局', '薛立杰、康明礼、魏宝军'),
    ('在人居环境改善方面', '硬化路', '确保所有贫困村屯通硬化路',
     '交通局负责对各乡镇未全部通硬化路的贫困村屯，进行路线踏查、规划设计，详细制定施工计划，确保在规定时间内完成建设，检查验收。',
     '9月30日、长期坚持', '石文博', '交通局', '赵江'),
    ('在人居环境改善方面', '安全饮水', '确保解决农村饮水安全问题',
     '卫计局负责按照国家《生活饮用水卫生标准》对全市农村饮用水水质进行检测，每半年检测覆盖率要达到100%。',
     '9月30日、长期坚持', '王天昊、吴爽', '水利局、卫计局、各乡镇', '樊宝成、张学峰、各乡镇党委书记'),
    ('在人居环境改善方面', '生活用电', '满足农村生活用电需求',
     '农电公司负责做好农村供电设施日常维护工作，优化调整农村电网负荷分配，每月对全市供电线路设备进行一次排查。',
     '6月30日、长期坚持', '林继春', '农电公司', '张文忠'),
    ('在人居环境改善方面', '广播电视台及通讯设施', '确保行政村广播实现户户通，通讯设施达到村村通',
     '广播电台负责所有行政村的广播电视机顶盒安装、线路铺装和日常维护工作，每月对光缆干线检查一次。',
     '6月30日、长期坚持', '吴爽', '广播电台、移动公司、联通公司、电信公司、吉视传媒', '程贵、各公司负责人'),
    ('在人居环境改善方面', '文化场所', '确保乡镇有综合文化站，行政村有文化活动室，贫困村文化活动室面积、设备器材均达标',
     '文广新局负责督促文化场所未达标的乡镇、行政村，及时筹措资金进行新改扩建，并每半月调度一次施工进度，确保按时完成整改。',
     '6月30日、长期坚持', '吴爽', '文广新局、各乡镇', '于延春、各乡镇党委书记'),
    ('在人居环境改善方面', '村办公场所', '确保贫困村有村级组织活动场所，建筑面积达到200平方米以上',
     '组织部负责检查贫困村村级活动场所，对建筑面积不达标的贫困村，督促所在乡镇尽快制定整改方案，筹措资金进行新改扩建。',
     '6月30日', '赵广顺', '组织部', '张弘'),
    ('在人居环境改善方面', '卫生医疗场所', '确保乡有卫生院，行政村有卫生室，贫困村有标准化的卫生室',
     '卫计局负责检查各乡镇卫生院、各行政村卫生室，对无卫生室的行政村，卫生室未达标的贫困村，督促所在乡镇立即筹措资金。',
     '6月30日、长期坚持', '吴爽', '卫计局、各乡镇', '张学峰、各乡镇党委书记'),
    ('在经济收入方面', '村集体经济', '确保贫困村村集体收入达到5万元的100%，达到10万元的80%以上',
     '农经总站负责指导各乡镇，依托村集体资金、资产、资源，大力发展村集体经济。',
     '6月30日、长期坚持', '林继春', '农经总站、扶贫办、能源办', '王凤清、康明礼、刘国华'),
    ('在经济收入方面', '年人均纯收入', '确保贫困人口有稳定的增收渠道和收入来源，年人均纯收入超过3600元',
     '扶贫办会同国调队负责统计监测农村常住居民人均可支配收入情况，每季度提供收入增速指标，向各乡镇做收入预警。',
     '6月30日、长期坚持', '王天昊', '扶贫办、农业局、就业局、各乡镇', '康明礼、贾延厚、李晓坤、各乡镇党委书记'),
)

# Township-side wording of a task (乡镇清单): the same targets, carried by every township.
TOWNSHIP_MEASURE = "乡镇党委负责组织驻村工作队和第一书记逐村逐户落实，每月底前将进展报扶贫办。"

PROBLEMS = (
    ("入户走访", "贫困户家中“收入情况一览表”未及时更新", "扶贫办", "第一书记每月入户核对更新，乡镇抽查"),
    ("入户走访", "危房改造户旧房未拆除", "住建局", "乡镇督促拆除，住建局验收"),
    ("入户走访", "因病致贫户慢性病卡未办理", "卫计局", "村医协助办理慢性病卡"),
    ("国家考核", "部分贫困户对帮扶措施知晓率不高", "扶贫办", "开展政策宣讲，帮扶责任人逐户讲解"),
    ("省级考核", "扶贫项目资产未纳入村集体台账", "国资办", "建立资产台账，纳入村集体账内核算"),
    ("市级考核", "扶贫日志记录不完整", "组织部", "每月签字审核，组织部抽查"),
    ("第三方评估", "个别贫困户收入测算偏高", "扶贫办", "重新核算收入，留存佐证材料"),
    ("巡视巡察", "产业项目收益分红未按季度发放", "扶贫办", "督促项目实施单位限期分红"),
    ("督战发现", "安置点后续产业就业帮扶不足", "就业局", "组织技能培训，对接用工企业"),
    ("自查", "档案资料未按“四统一”装订", "档案局", "专人整理档案，统一装订"),
    ("分析反馈", "红色预警户本月无新增帮扶措施", "扶贫办", "包保干部制定针对性措施"),
    ("自查", "贫困家庭学生名册未及时更新", "教育局", "学校每月核对学生在校情况"),
)

LEADERS = ("杨斌 李林波", "赵克义", "张士金")
TEAM_LEADS = ("马国雄 罗文慧", "起绍祥", "袁莹")


def _townships(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).where(Unit.level == "township").order_by(Unit.position, Unit.id)))


def _list(session: Session, year: int, kind: str, title: str) -> ResponsibilityList:
    lst = ResponsibilityList(year=year, kind=kind, title=title)
    session.add(lst)
    return lst


def _demo_deadline(i: int, typed: str, year: int, latest: str) -> str:
    """The seed's 完成时限 moved around the demo's latest month, so the view shows every case: some
    passed (逾期 unless closed), some due this month, most ahead; 长期坚持 kept as typed."""
    ongoing = "长期坚持" in typed
    if typed == "长期坚持":
        return typed
    month = int(latest[5:])
    if i % 4 == 0:  # last month's 15th (or this month's 5th in January)
        m, d = (month - 1, 15) if month > 1 else (1, 5)
    elif i % 4 == 1:  # the end of this month
        m, d = month, 28
    else:  # one to three months ahead, within the year
        m, d = min(12, month + 1 + i % 3), 30 if min(12, month + 1 + i % 3) != 2 else 28
    return f"{m}月{d}日" + ("、长期坚持" if ongoing else "")


def _task(rng: random.Random, lst: ResponsibilityList, i: int, row: tuple, units: list[tuple[str, int | None]],
          year: int, months: list[str], measure: str | None = None) -> None:
    heading, name, sentence, measures, deadline, leaders, units_text, persons = row
    deadline = _demo_deadline(i, deadline, year, months[-1])
    d = parse_deadline(deadline, year)
    t = Task(position=i, seq=i + 1, heading=heading, target=f"{name}。{sentence}。", measures=measure or measures,
             deadline_text=deadline, deadline=d.date, ongoing=d.ongoing, leaders=leaders, units_text=units_text,
             persons=persons, created_on=dt.date(year, 1, 10))  # the lists are set at the start of the year
    lst.tasks.append(t)
    for j, (unit, uid) in enumerate(units):
        u = TaskUnit(position=j, name=unit, unit_id=uid)
        t.units.append(u)
        for m in months:
            if rng.random() < 0.8:
                u.progress.append(TaskProgress(month=m, entered_on=dt.date(year, int(m[5:]), rng.randint(10, 25)),
                                               text=f"{unit}已按要求推进{name}工作，完成阶段任务。",
                                               percent=float(rng.choice((30, 50, 60, 80)))))
        if u.progress:
            u.status = "推进中"
        latest_day = dt.date(year, int(months[-1][5:]), 20)
        if d.date is not None and d.date <= latest_day + dt.timedelta(days=10) and rng.random() < 0.35:
            on = min(d.date, latest_day)
            u.status, u.closed_on = "已销号", on
            u.closed_basis = f"{name}工作经对表检查已完成"
            u.evidence_files = f"{name}验收报告.pdf\n{unit}工作照片.jpg"


def generate_ledgers(session: Session, seed: int = 1) -> dict[str, int]:
    """Fill the year of the latest period with lists, problems and 督战对象."""
    rng = random.Random(seed * 7919 + 17)
    periods = list(session.scalars(select(Period).order_by(Period.month)))
    if not periods:
        return {}
    year = periods[-1].year
    months = [p.month for p in periods if p.year == year]
    townships = _townships(session)
    by_name = {t.name: t.id for t in townships}

    def expand(text: str) -> list[tuple[str, int | None]]:
        out: list[tuple[str, int | None]] = []
        for n in text.split("、"):
            out.extend([(t.name, t.id) for t in townships] if n == "各乡镇" else [(n, by_name.get(n))])
        return out

    depts = _list(session, year, "departments", f"{year}年脱贫攻坚决胜年责任部门清单")
    for i, row in enumerate(TASKS):
        _task(rng, depts, i, row, expand(row[6]), year, months)
    towns = _list(session, year, "townships", f"{year}年脱贫攻坚决胜年乡镇清单")
    for i, row in enumerate(TASKS):
        town_row = (*row[:6], "各乡镇", "各乡镇党委书记")
        _task(rng, towns, i, town_row, expand("各乡镇"), year, months, TOWNSHIP_MEASURE)

    # The problems ledger: ≈50, some from household visits (linked to a household), a third closed out.
    latest = periods[-1]
    households = list(session.scalars(select(Household).where(Household.period_id == latest.id)
                                      .order_by(Household.id).limit(200)))
    villages = {u.id: u for u in session.scalars(select(Unit).where(Unit.level == "village"))}
    for i in range(50):
        source, text, unit, measures = PROBLEMS[i % len(PROBLEMS)]
        h = rng.choice(households) if households and source == "入户走访" else None
        where = villages.get(h.village_id) if h else rng.choice(townships) if townships else None
        month = min(12, max(1, int(months[-1][5:]) + rng.choice((-2, -1, 0, 0, 1, 1, 2))))
        deadline = dt.date(year, month, rng.choice((10, 15, 20, 28)))  # around the latest month: some 逾期
        p = Problem(year=year, position=i, source=source, description=text, unit_id=where.id if where else None,
                    household_uuid=h.uuid if h else None, measures=measures, resp_unit=unit,
                    resp_person=rng.choice(("康明礼", "张弘", "侯文敏", "王晔", "魏宝军")), deadline=deadline,
                    status=rng.choice(("未整改", "整改中", "整改中", "已整改")))
        if rng.random() < 0.35:
            p.status, p.closed_on = "已销号", min(deadline, dt.date(year, int(months[-1][5:]), 18))
            p.closed_basis, p.evidence_files = f"{measures}，已核查整改到位", "整改说明.docx\n现场照片.jpg"
        # entered a month or so before its deadline, never after its 销号 nor after the latest month
        opened = max(dt.date(year, 1, 1), deadline - dt.timedelta(days=30 + 7 * (i % 4)))
        opened = min(opened, dt.date(year, int(months[-1][5:]), 28))
        p.opened_on = min(opened, p.closed_on) if p.closed_on else opened
        session.add(p)

    # 3 督战对象: the county (remaining poor persons), the largest township, a resettlement site.
    counties = list(session.scalars(select(Unit).where(Unit.level == "county")))
    persons_by_unit = remaining_by_unit(session, latest)
    targets: list[SupervisionTarget] = []
    if counties:
        c = counties[0]
        n = persons_by_unit.get(c.id, 0)
        targets.append(SupervisionTarget(year=year, position=0, level="county", name=c.name, county=c.name, unit_id=c.id,
                                         reason="remaining", figure=f"{n}人", persons=n))
        if townships:
            big = max(townships, key=lambda t: persons_by_unit.get(t.id, 0))
            n = persons_by_unit.get(big.id, 0)
            targets.append(SupervisionTarget(year=year, position=1, level="township", name=big.name, county=c.name,
                                             unit_id=big.id, reason="township", figure=f"{n}人", persons=n))
        targets.append(SupervisionTarget(year=year, position=2, level="site", name=f"{c.name}城东易地扶贫搬迁安置点",
                                         county=c.name, reason="relocation", figure="1181人", persons=1181))
    for k, t in enumerate(targets):
        t.leaders, t.team_lead = LEADERS[k], TEAM_LEADS[k]
        for m in months[: len(months) - (k == 2)]:  # the site has no 台账 for the latest month (D-09)
            t.entries.append(SupervisionEntry(month=m, entered_on=dt.date(year, int(m[5:]), 18),
                                              actions=f"走访{rng.randint(8, 30)}户，召开推进会{rng.randint(1, 3)}次",
                                              problems_found=rng.randint(1, 5), problems_solved=rng.randint(0, 3),
                                              remaining=t.persons))
        session.add(t)
    session.flush()
    return {"tasks": len(depts.tasks) + len(towns.tasks), "problems": 50, "targets": len(targets)}

