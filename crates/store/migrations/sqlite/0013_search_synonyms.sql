-- Search synonyms and abbreviations (issue 14, item 4), edited at the desk (/admin/search) and
-- applied at query time on every node (each reloads the list every few seconds). A pair works
-- both ways: a query holding either side also matches the other. Keep in step with
-- ../postgres/0013_search_synonyms.sql.
CREATE TABLE search_synonyms (
    id          INTEGER PRIMARY KEY,
    term        TEXT NOT NULL,
    expansion   TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (term, expansion)
);

-- The starter list: common abbreviations of 公文 and the names they stand for.
INSERT INTO search_synonyms (term, expansion, created_at) VALUES
    ('两会', '全国人民代表大会和中国人民政治协商会议', 0),
    ('全国人大', '全国人民代表大会', 0),
    ('人大常委会', '人民代表大会常务委员会', 0),
    ('全国政协', '中国人民政治协商会议全国委员会', 0),
    ('中共中央', '中国共产党中央委员会', 0),
    ('十二五', '第十二个五年规划', 0),
    ('十三五', '第十三个五年规划', 0),
    ('十四五', '第十四个五年规划', 0),
    ('十五五', '第十五个五年规划', 0),
    ('十八大', '第十八次全国代表大会', 0),
    ('十九大', '第十九次全国代表大会', 0),
    ('二十大', '第二十次全国代表大会', 0),
    ('党建', '党的建设', 0),
    ('纪委', '纪律检查委员会', 0),
    ('发改委', '发展和改革委员会', 0),
    ('国资委', '国有资产监督管理委员会', 0),
    ('统战', '统一战线', 0),
    ('三农', '农业农村农民', 0),
    ('双碳', '碳达峰碳中和', 0),
    ('一带一路', '丝绸之路经济带和21世纪海上丝绸之路', 0),
    ('供给侧改革', '供给侧结构性改革', 0),
    ('GDP', '国内生产总值', 0),
    ('CPI', '居民消费价格指数', 0);
