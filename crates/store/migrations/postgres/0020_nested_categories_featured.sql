-- Two things a DedeCMS site has and readers see (issue 16 item 1):
-- 栏目 inside 栏目: a category may sit under another (`dede_arctype.reid`). Its page lists its own
-- documents and those of the categories under it; the menu shows the top level. NULL: top level.
-- The desk refuses a parent that would make a loop; deleting a category lifts its children one
-- level (done in the same transaction, not by the foreign key, which SQLite may not enforce).
ALTER TABLE categories ADD COLUMN parent_id BIGINT REFERENCES categories(id);
-- 推荐: a document the editors feature (`dede_archives.flag` h 头条 / c 推荐, or the desk's
-- 设为推荐 button): marked 荐 in lists and listed under 编辑推荐 on the home page. 0 or 1.
ALTER TABLE articles ADD COLUMN featured BIGINT NOT NULL DEFAULT 0;
CREATE INDEX articles_featured ON articles (published_on DESC, id DESC) WHERE featured = 1 AND status = 'published';
-- Keep in step with ../sqlite/0020_nested_categories_featured.sql.
