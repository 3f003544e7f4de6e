-- The SimHash now counts the numbers of short documents and, heavily, those of the title
-- (wenyuan_text::simhash, issue 12 item 6): every stored fingerprint and the pairs found with
-- them are out of date. They are derived data: drop them, and drop the cursor of the
-- fingerprint follower so that the next start fingerprints every document again (backfill)
-- and writes the pairs anew. Editors' decisions on pairs are kept.
DELETE FROM near_duplicate_pairs;
DELETE FROM article_simhash;
DELETE FROM settings WHERE key = 'cursor.simhash';
