-- Near-duplicate detection. Keep in step with ../postgres/0004_near_duplicates.sql.

-- Derived from the text (rebuildable): the SimHash of each document (wenyuan_text::simhash, 64
-- bits stored as a signed integer) and its four 16-bit bands. Two fingerprints at most 3 bits
-- apart agree on at least one band exactly (pigeonhole), so a lookup reads the rows sharing a band
-- through these indexes instead of comparing with every document. Written in the transaction that
-- inserts the document; documents imported before this migration get theirs from the start-up
-- backfill.
CREATE TABLE article_simhash (
    article_id  INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    simhash     INTEGER NOT NULL,
    band0       INTEGER NOT NULL,
    band1       INTEGER NOT NULL,
    band2       INTEGER NOT NULL,
    band3       INTEGER NOT NULL
);
CREATE INDEX article_simhash_band0 ON article_simhash (band0);
CREATE INDEX article_simhash_band1 ON article_simhash (band1);
CREATE INDEX article_simhash_band2 ON article_simhash (band2);
CREATE INDEX article_simhash_band3 ON article_simhash (band3);

-- Pairs the band index found within 3 bits, older document first (article_a < article_b),
-- written with the fingerprint. The duplicates view reads these.
CREATE TABLE near_duplicate_pairs (
    article_a  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    article_b  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    distance   INTEGER NOT NULL,
    PRIMARY KEY (article_a, article_b)
);
CREATE INDEX near_duplicate_pairs_b ON near_duplicate_pairs (article_b);
CREATE INDEX near_duplicate_pairs_closest ON near_duplicate_pairs (distance, article_b DESC);

-- Editors' decisions in the duplicates view: keep (both stay), hide (the newer is hidden) or
-- merge (the newer is hidden and its views go to the older). A decided pair leaves the list.
CREATE TABLE near_duplicate_decisions (
    article_a   INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    article_b   INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    decision    TEXT NOT NULL,
    decided_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    decided_at  INTEGER NOT NULL,
    PRIMARY KEY (article_a, article_b)
);
