-- Related documents read, for each keyword of a document, only the documents that weigh that
-- keyword most (champion lists): an index range in weight order instead of every holder.
-- The index it replaces (keyword, article_id) served the join over every holder.
DROP INDEX article_keywords_keyword;
CREATE INDEX article_keywords_heaviest ON article_keywords (keyword, weight DESC, article_id);
