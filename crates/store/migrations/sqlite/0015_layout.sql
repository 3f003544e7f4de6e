-- How each paragraph of an office file was laid out (centred, right-aligned, table rows): one
-- code character per paragraph of `body` (wenyuan_text::layout), NULL when all are plain. A hint
-- for the page and the download only; it is ignored when it no longer fits the body.
ALTER TABLE articles ADD COLUMN layout TEXT;
