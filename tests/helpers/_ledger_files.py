"""Responsibility lists typed the way offices type them, written at test time (python-docx, openpyxl)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

# Seed 002's style, with the variants real lists show: 县级责任领导, 责任部门, half-width colons,
# a 工作措施 running on into the next paragraph, a range, a date without a year, 长期坚持, a field
# line outside any numbered target and a stray paragraph inside the list.
PARAGRAPHS = [
    "洮南市2018年脱贫攻坚决胜年责任部门清单",
    "为确保年底前贫困人口脱贫，特制定本清单。",
    "（一）在组织推动方面。严格执行有关意见，逐级压实责任。",
    "1、驻村工作时间。第一书记每周必须驻村工作5天，每季度入户率达到100%。",
    "工作措施：市级四个班子主要领导负责督促检查各包保乡镇市级领导驻村工作情况。",
    "完成时限：长期坚持",
    "市级责任领导：相关市级领导",
    "责任部门：组织部、各乡镇",
    "责任人：张弘、各乡镇党委书记",
    "2、扶贫工作日志。各级包保工作人员要如实记录驻村期间各项工作开展情况。",
    "工作措施：组织部负责抽查审核，抽查率每年要在30%以上，",
    "2020年底前全覆盖。",
    "完成时限: 3月20日—4月30日、长期坚持",
    "县级责任领导: 王天昊",
    "责任单位: 扶贫办",
    "责任人: 康明礼",
    "（二）在精准识别退出方面。科学把握标准。",
    "3、群众满意度。确保群众对扶贫工作满意度达到90%以上。",
    "工作措施：扶贫办负责指导各级包保帮扶人员做好入户走访工作。",
    "完成时限：6月 30 日",
    "市级责任领导：王天昊",
    "责任单位：扶贫办、档案局",
    "责任人：康明礼、孙秀昌",
    "这一段不属于任何任务。",
    "4、安全住房。确保贫困户住房安全比率达到98%以上。",
    "工作措施：住建局负责督促指导、监理验收。",
    "完成时限：9月30日",
    "市级责任领导：石文博",
    "责任部门：住建局",
    "三、保障措施",
    "责任单位：各事涉部门、各乡镇",
]

TABLE_HEAD = ["序号", "指标", "工作措施", "完成时限", "县级责任领导", "责任部门", "责任人"]
TABLE_ROWS = [
    ["（一）在政策落实方面"] * 7,
    ["1", "教育扶贫。家庭无因贫辍学学生。", "教育局负责落实补助政策。", "6月30日、长期坚持", "董春玲", "教育局", "王晔"],
    ["2", "最低生活保障。应保尽保。", "民政局负责提高低保标准。", "2018年12月31日", "吴爽", "民政局、各乡镇", "魏宝军"],
]


def seed002_docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    for text in PARAGRAPHS:
        d.add_paragraph(text)
    d.save(str(path))
    return path


def table_docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_paragraph("2018年乡镇清单")
    table = d.add_table(rows=1 + len(TABLE_ROWS), cols=len(TABLE_HEAD))
    for j, h in enumerate(TABLE_HEAD):
        table.cell(0, j).text = h
    for i, row in enumerate(TABLE_ROWS, 1):
        if len(set(row)) == 1:
            merged = table.cell(i, 0).merge(table.cell(i, len(TABLE_HEAD) - 1))
            merged.text = row[0]
            continue
        for j, v in enumerate(row):
            table.cell(i, j).text = v
    d.save(str(path))
    return path


def list_xlsx(path: Path, *, headings: bool = True) -> Path:
    """序号 方面 指标 工作措施 完成时限 责任领导 责任单位 责任人, with or without the heading row."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "部门清单"
    if headings:
        ws.append(["2018年部门责任清单"])
        ws.append(["序号", "方面", "指标", "工作措施", "完成时限", "市级责任领导", "责任单位", "责任人"])
    ws.append([1, "在组织推动方面", "驻村工作时间。第一书记每周驻村5天。", "组织部负责检查。", "长期坚持", "相关市级领导",
               "组织部、各乡镇", "张弘"])
    ws.append([2, "在组织推动方面", "扶贫工作日志。", "组织部负责抽查审核。", dt.datetime(2018, 5, 31), "王天昊", "扶贫办",
               "康明礼"])
    ws.append([3, "在政策落实方面", "安全住房。住房安全比率达到98%以上。", "住建局负责监理验收。", "3月20日-4月30日",
               "石文博", "住建局", None])
    wb.save(path)
    return path


def messy_docx(path: Path) -> Path:
    """What else offices type: several fields on one line, Shift+Enter line breaks, （1） numbering,
    spaced-out labels, 6.30 and 年底前, and a table whose 序号/指标 cells are merged down over two units."""
    import docx

    d = docx.Document()
    d.add_paragraph("（一）在产业发展方面")
    d.add_paragraph("（1）项目收益率。确保扶贫产业项目年收益率达到10%以上。")
    d.add_paragraph("工作措施：扶贫办每季度检查项目运营情况。完成时限：6.30　责任单位：扶贫办、审计局　责任人：康明礼、贾东升")
    d.add_paragraph("县级责任领导：王天昊")
    p = d.add_paragraph("（2）庭院经济。户均增收1300元以上。")
    p.add_run().add_break()
    p.add_run("工 作 措 施：农业局制定实施方案。")
    p.add_run().add_break()
    p.add_run("完成时限：年底前")
    p.add_run().add_break()
    p.add_run("责任领导：林继春")
    p.add_run().add_break()
    p.add_run("责任单位（部门）：农业局")
    p.add_run().add_break()
    p.add_run("责任人：贾延厚")
    t = d.add_table(rows=4, cols=6)
    for j, h in enumerate(["序号", "目标任务", "具体措施", "完成\n时间", "牵头领导", "责任单位"]):
        t.cell(0, j).text = h
    for j, v in enumerate(["1", "安全饮水。解决饮水安全问题。", "水利局检测水质。", "2018年9月30日", "吴爽", "水利局"]):
        t.cell(1, j).text = v
    t.cell(2, 5).text = "卫计局"
    for j in range(5):  # 序号 … 牵头领导 merged down over the two units
        t.cell(1, j).merge(t.cell(2, j))
    for j, v in enumerate(["2", "生活用电。满足用电需求。", "农电公司排查线路。", "长期坚持", "林继春", "农电公司"]):
        t.cell(3, j).text = v
    d.save(str(path))
    return path


def merged_xlsx(path: Path) -> Path:
    """A task over two rows with 序号/指标/措施 merged down (openpyxl reads the lower cells as empty)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "指标", "工作措施", "完成时限", "责任领导", "责任单位", "责任人"])
    ws.append([1, "安全住房。住房安全比率达到98%以上。", "住建局监理验收。", "9月30日", "石文博", "住建局", "侯文敏"])
    ws.append([None, None, None, None, None, "扶贫办", "康明礼"])
    for col in "ABCDE":
        ws.merge_cells(f"{col}2:{col}3")
    ws.append([2, "就业服务。转移劳动力5.26万人次。", "就业局组织培训。", "长期坚持", "王天昊", "就业局", "李晓坤"])
    wb.save(path)
    return path
