-- The most-read documents of all time (热门's fill-in, issue 13 item 9) are asked for whenever the
-- hot lists are remade: without this index every ask sorts all published documents. The
-- expression must stay the same as the ORDER BY in store/src/hot.rs `most_read`.
-- Keep in step with ../postgres/0017_most_read_index.sql.
-- Status leads (not a partial index): SQLite's planner, given `status = ?`, would otherwise pick
-- articles_latest and sort.
CREATE INDEX articles_most_read ON articles (status, (views_base + views_total) DESC, published_on DESC, id DESC);
