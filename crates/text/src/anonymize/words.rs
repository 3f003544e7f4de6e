//! The hand-made word lists the anonymiser consults. Each list says why it exists; add to them
//! when the evaluation (tests/anonymize_eval.rs) finds a miss or a false alarm.

/// Words no replacement may touch, even partly: the country, set phrases that contain a place
/// name, and personal or institutional names built on one (孙中山 is no 中山市).
pub(super) const PROTECTED: &[&str] = &[
    "中国",
    "北京时间",
    "中华",
    "全国",
    "国家",
    "上海合作组织",
    "上合组织",
    "孙中山",
    "中山装",
    "中山大学",
    "中山陵",
    "长安街",
    "太平洋",
    "金山银山",
    "绿水青山",
    "长治久安",
    "安居乐业",
    "天山南北",
    "大江南北",
];

/// For a suffix, the characters that, right after it, make the suffix part of an ordinary word
/// instead: 义乌市场 is the market of 义乌 (市场), 发展乡村 is no 发展乡. The place is then taken
/// without its suffix, if the name may stand alone.
pub(super) fn suffix_glued(suffix_last: char, next: char) -> bool {
    let glue: &str = match suffix_last {
        '市' => "场民值容面井",
        '区' => "域间别块位划",
        '县' => "域",
        '乡' => "村亲土愁贤情音下里镇风",
        '镇' => "压守静定痛",
        '省' => "份力钱略",
        '旗' => "帜舰袍号下",
        '盟' => "友约国",
        '州' => "长",
        _ => "",
    };
    glue.contains(next)
}

/// What follows a place when it names an organisation built on it (萧山区人民政府, 浙江大学):
/// the place part is still what gets replaced, but the replacement is an organisation's.
pub(crate) const ORGANISATION_HEADS: &[&str] = &[
    "人民政府",
    "政府",
    "人民代表大会",
    "人大",
    "政协",
    "党委",
    "党工委",
    "委",
    "纪委",
    "监委",
    "公安",
    "人民法院",
    "中级人民法院",
    "法院",
    "人民检察院",
    "检察院",
    "大学",
    "学院",
    "医院",
    "中学",
    "小学",
    "银行",
    "日报",
    "晚报",
    "电视台",
    "广播电视",
    "集团",
    "公司",
    "海关",
    "税务",
    "消防",
    "供电",
    "总工会",
    "妇联",
    "团委",
    "教育局",
    "财政局",
    "卫健委",
    "发改委",
    "人社局",
    "交通运输局",
    "农业农村局",
    "自然资源",
    "生态环境局",
    "应急管理局",
    "市场监管",
    "文旅",
    "分行",
    "支行",
];

/// Titles after which a person's name is looked for (张三书记, 王区长). Longer titles first is
/// not needed: the matcher takes the longest title ending at each place.
pub(crate) const TITLES: &[&str] = &[
    "书记",
    "副书记",
    "总书记",
    "区长",
    "副区长",
    "县长",
    "副县长",
    "市长",
    "副市长",
    "省长",
    "副省长",
    "镇长",
    "副镇长",
    "乡长",
    "副乡长",
    "村长",
    "主任",
    "副主任",
    "局长",
    "副局长",
    "厅长",
    "副厅长",
    "部长",
    "副部长",
    "处长",
    "副处长",
    "科长",
    "副科长",
    "主席",
    "副主席",
    "委员",
    "委员长",
    "常委",
    "同志",
    "总经理",
    "副总经理",
    "经理",
    "董事长",
    "校长",
    "副校长",
    "院长",
    "副院长",
    "总理",
    "副总理",
    "秘书长",
    "组长",
    "队长",
    "社长",
    "所长",
    "站长",
    "行长",
    "会长",
    "主任委员",
    "老师",
    "教授",
    "院士",
    "先生",
    "女士",
    "师傅",
    "总监",
    "总裁",
    "政委",
    "司令员",
    "检察长",
    "庭长",
    "馆长",
    "主编",
    "支书",
];

/// Characters that never stand in a given name before a title: they make the candidate part of
/// an office or a phrase instead (区委书记, 党委书记, 国家主席, 办公室主任, 常委会委员).
pub(super) const NOT_IN_GIVEN_NAME: &str = "委党组部局厅处科室会院校府司省市县区镇乡村长记副总代常务级第的们等和与及是在为了位名个各全本我你他她书员主任理事监督席家团队社所站行业企协联盟政人大法检警厂矿场店馆台报刊网心部门办公机关单位系统领导干群众志表";

/// Characters that, at the start of a candidate, are much more often a preposition or a verb
/// than a surname (向王书记汇报, 于是): when a shorter candidate also fits, it is preferred.
pub(super) const FUNCTION_FIRST: &str = "向于对同从为与及跟给让请叫将把被经据在是有等共随陪";

/// Characters after which a name may begin even where jieba reads them together with the
/// surname (会议由张三书记主持 is cut 由张/三/书记).
pub(super) const BEFORE_NAME: &str = "由向对和与及同从为跟给让请叫将把被经据在是有随陪了的说称、";

/// Suffixes of a whole place name that a bare name rarely ends with (丰镇 of 丰镇市 does): after
/// another Han character such a bare name is likely the tail of an unknown name. (Not 州 or 市:
/// 美丽温州 is 温州.)
pub(super) const PLACE_ENDINGS: &str = "县区镇乡村旗";

/// Characters after which a place may begin even where jieba reads them together with its
/// first character (至盘州 is cut as one word).
pub(super) const BEFORE_PLACE: &str = "在到至从往赴抵及与、";
