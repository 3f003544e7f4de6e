-- The editorial desk's document list opens sorted by last change: an index, so that is not a
-- sort of every document on each page. Keep in step with ../postgres/0007_desk_documents.sql.
-- (0006 belongs to the statistics page.)
CREATE INDEX articles_updated ON articles (updated_at DESC, id DESC);
