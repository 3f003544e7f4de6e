//! The store against both backends: every test runs on SQLite and on PostgreSQL.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use wenyuan_store::testing::{backends, TestDatabase};
use wenyuan_store::{Backend, InsertOutcome, ListFilter, NewArticle, Store, StoreError};

fn article(title: &str, hash: &str, category: Option<&str>, date: &str) -> NewArticle {
    NewArticle {
        title: title.to_owned(),
        body: format!("{title}的第一段。\n第二段。"),
        published_on: date.to_owned(),
        category: category.map(str::to_owned),
        tags: vec!["标签甲".to_owned(), "标签乙".to_owned()],
        access: "member".to_owned(),
        status: "published".to_owned(),
        views_base: 246,
        content_hash: hash.to_owned(),
        source: None,
        external_id: None,
        preview_ratio: None,
        preview_max: None,
        simhash: None,
        layout: None,
    }
}

async fn each_backend<F, Fut>(test: F)
where
    F: Fn(Store, Backend) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in backends() {
        let db = TestDatabase::new(backend).await;
        let store = Store::connect(&db.url).await.expect("connect");
        assert_eq!(store.backend(), backend);
        test(store.clone(), backend).await;
        store.close().await;
    }
}

#[tokio::test]
async fn inserting_twice_keeps_one_copy_and_feeds_one_change() {
    each_backend(|store, backend| async move {
        let a = article(
            "在2020年区委读书会上的讲话",
            "h1",
            Some("讲话稿"),
            "2020-11-04",
        );
        let first = store
            .insert_articles(std::slice::from_ref(&a), 1_000)
            .await
            .unwrap();
        let InsertOutcome::Inserted(id) = first[0] else {
            panic!("{backend:?}: {first:?}")
        };
        let again = store.insert_articles(&[a.clone(), a], 1_001).await.unwrap();
        assert_eq!(
            again,
            vec![InsertOutcome::Duplicate(id), InsertOutcome::Duplicate(id)],
            "{backend:?}"
        );
        assert_eq!(store.count_articles().await.unwrap(), 1);
        let changes = store.changes_since(0, 100).await.unwrap();
        assert_eq!(changes.len(), 1, "{backend:?}: one insert, one change");
        assert_eq!(
            (changes[0].article_id, changes[0].kind.as_str()),
            (id, "insert")
        );
        assert_eq!(store.last_change_id().await.unwrap(), changes[0].id);
    })
    .await;
}

#[tokio::test]
async fn an_article_reads_back_with_its_category_and_tags() {
    each_backend(|store, backend| async move {
        let out = store
            .insert_articles(
                &[article("读书会讲话", "h2", Some("讲话 稿"), "2020-11-04")],
                5,
            )
            .await
            .unwrap();
        let InsertOutcome::Inserted(id) = out[0] else {
            panic!()
        };
        let row = store.article(id).await.unwrap().expect("stored");
        assert_eq!(row.title, "读书会讲话", "{backend:?}");
        assert_eq!(row.body, "读书会讲话的第一段。\n第二段。");
        assert_eq!(row.published_on, "2020-11-04");
        assert_eq!(row.category_name.as_deref(), Some("讲话 稿"));
        assert_eq!(row.category_slug.as_deref(), Some("jianghua-gao"));
        assert_eq!(row.views, 246);
        assert_eq!(row.access, "member");
        let mut tags = store.article_tags(id).await.unwrap();
        tags.sort();
        assert_eq!(tags, ["标签乙", "标签甲"]);
        assert!(store.article(id + 1000).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn lists_are_newest_first_filtered_and_paginated() {
    each_backend(|store, backend| async move {
        let mut batch = Vec::new();
        for i in 0..25 {
            let category = if i % 2 == 0 { "甲" } else { "乙" };
            batch.push(article(
                &format!("文档{i:02}"),
                &format!("hash{i}"),
                Some(category),
                &format!("2024-01-{:02}", i + 1),
            ));
        }
        store.insert_articles(&batch, 10).await.unwrap();
        let (page1, total) = store
            .list_articles(&ListFilter::default(), 10, 0)
            .await
            .unwrap();
        assert_eq!(total, 25, "{backend:?}");
        assert_eq!(page1.len(), 10);
        assert_eq!(page1[0].title, "文档24");
        assert_eq!(page1[0].lead, "文档24的第一段。\n第二段。");
        let (page3, _) = store
            .list_articles(&ListFilter::default(), 10, 20)
            .await
            .unwrap();
        assert_eq!(page3.len(), 5);
        assert_eq!(page3[4].title, "文档00");

        let categories = store.categories().await.unwrap();
        let names: Vec<_> = categories
            .iter()
            .map(|c| (c.name.as_str(), c.articles))
            .collect();
        // Every category in (sort, name) order; the menu's order by size is made in core.
        assert_eq!(names, vec![("乙", 12), ("甲", 13)], "{backend:?}");
        let jia = store
            .category_by_slug("jia")
            .await
            .unwrap()
            .expect("category");
        let filter = ListFilter {
            category_id: Some(jia.id),
            tag: None,
        };
        let (rows, total) = store.list_articles(&filter, 100, 0).await.unwrap();
        assert_eq!((rows.len(), total), (13, 13));
        let filter = ListFilter {
            category_id: None,
            tag: Some("标签甲".into()),
        };
        assert_eq!(store.list_articles(&filter, 100, 0).await.unwrap().1, 25);
        let filter = ListFilter {
            category_id: None,
            tag: Some("没有".into()),
        };
        assert_eq!(store.list_articles(&filter, 100, 0).await.unwrap().1, 0);
    })
    .await;
}

#[tokio::test]
async fn users_sessions_and_settings_round_trip() {
    each_backend(|store, backend| async move {
        let id = store
            .create_user("读者", "$argon2id$fake", "member", 100)
            .await
            .unwrap();
        match store
            .create_user("读者", "$argon2id$other", "member", 101)
            .await
        {
            Err(StoreError::Conflict { .. }) => {}
            other => panic!("{backend:?}: a taken name must be a conflict, got {other:?}"),
        }
        store.create_session("tokhash", id, 100, 200).await.unwrap();
        assert_eq!(
            store
                .session_user("tokhash", 150)
                .await
                .unwrap()
                .map(|u| u.name),
            Some("读者".into())
        );
        assert!(
            store.session_user("tokhash", 200).await.unwrap().is_none(),
            "expired at 200"
        );
        assert!(store.session_user("other", 150).await.unwrap().is_none());
        assert_eq!(store.delete_expired_sessions(300).await.unwrap(), 1);

        assert_eq!(store.setting("site_name").await.unwrap(), None);
        store.set_setting("site_name", "范文网").await.unwrap();
        store.set_setting("site_name", "文渊").await.unwrap();
        assert_eq!(
            store.setting("site_name").await.unwrap().as_deref(),
            Some("文渊")
        );
    })
    .await;
}

#[tokio::test]
async fn concurrent_writers_of_the_same_document_store_it_once() {
    each_backend(|store, backend| async move {
        let mut tasks = Vec::new();
        for i in 0..8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let a = article("同一篇文档", "same-hash", Some("并发"), "2024-05-01");
                let b = article(
                    &format!("不同文档{i}"),
                    &format!("distinct{i}"),
                    Some("并发"),
                    "2024-05-01",
                );
                store.insert_articles(&[a, b], 1).await
            }));
        }
        for task in tasks {
            task.await
                .unwrap()
                .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
        }
        assert_eq!(store.count_articles().await.unwrap(), 9, "{backend:?}");
    })
    .await;
}

#[tokio::test]
async fn unsupported_urls_get_a_clear_error() {
    let err = Store::connect("mysql://localhost/x").await.unwrap_err();
    assert!(err.to_string().contains("sqlite://"), "{err}");
}

#[tokio::test]
async fn the_band_index_finds_every_fingerprint_within_three_bits_and_records_the_pairs() {
    each_backend(|store, backend| async move {
        let base: u64 = 0xDEAD_BEEF_0123_4567;
        // One bit in each of the four 16-bit bands: 4 bits apart, no band shared.
        let far = base ^ (1 | 1 << 16 | 1 << 32 | 1 << 48);
        // Three bits in three bands: found through the fourth.
        let near = base ^ (1 << 3 | 1 << 20 | 1 << 40);
        let with = |title: &str, hash: &str, simhash: u64| NewArticle {
            simhash: Some(simhash),
            ..article(title, hash, None, "2024-01-01")
        };
        let out = store
            .insert_articles(
                &[
                    with("原稿", "s1", base),
                    with("远稿", "s2", far),
                    with("近稿", "s3", near),
                ],
                1_000,
            )
            .await
            .unwrap();
        let ids: Vec<i64> = out
            .iter()
            .map(|o| match o {
                InsertOutcome::Inserted(id) => *id,
                other => panic!("{backend:?}: {other:?}"),
            })
            .collect();
        let found: Vec<i64> = store
            .simhash_candidates(base)
            .await
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
        assert!(
            found.contains(&ids[0]) && found.contains(&ids[2]),
            "{found:?}"
        );
        assert!(!found.contains(&ids[1]), "{backend:?}: no band shared");
        // The pair within 3 bits was written with the fingerprints; the 4-bit one was not.
        let (pairs, total) = store.duplicate_pairs(3, 10, 0).await.unwrap();
        assert_eq!(total, 1, "{backend:?}");
        assert_eq!(
            (pairs[0].a_id, pairs[0].b_id, pairs[0].distance),
            (ids[0], ids[2], 3)
        );
        assert_eq!(store.duplicate_pairs(2, 10, 0).await.unwrap().1, 0);
        // Clearing a fingerprint forgets its pairs; writing it again finds them again.
        store.set_simhash(ids[2], None).await.unwrap();
        assert_eq!(store.duplicate_pairs(3, 10, 0).await.unwrap().1, 0);
        store.set_simhash(ids[2], Some(near)).await.unwrap();
        assert_eq!(store.duplicate_pairs(3, 10, 0).await.unwrap().1, 1);
        assert_eq!(store.simhash(ids[2]).await.unwrap(), Some(near));
    })
    .await;
}

#[tokio::test]
async fn a_batchs_neighbour_lookup_finds_for_each_fingerprint_what_its_own_lookup_finds() {
    each_backend(|store, backend| async move {
        // 40 stored fingerprints, some sharing bands with the asked ones, some not.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let asked: Vec<u64> = (0..12).map(|_| next()).collect();
        let mut stored = Vec::new();
        for (i, hash) in asked.iter().enumerate() {
            // Near each asked one (bits flipped in one or two bands), and unrelated ones.
            stored.push(hash ^ (1 << (i % 16)));
            stored.push(hash ^ (1 << 20 | 1 << 40 | 1 << 60));
            stored.push(next());
        }
        let articles: Vec<NewArticle> = stored
            .iter()
            .enumerate()
            .map(|(i, hash)| NewArticle {
                simhash: Some(*hash),
                ..article(
                    &format!("稿{i}"),
                    &format!("band{i}"),
                    Some("栏目"),
                    "2024-01-01",
                )
            })
            .collect();
        store.insert_articles(&articles, 1_000).await.unwrap();
        let max = wenyuan_store::MAX_INDEXED_DISTANCE;
        let all = store.simhash_neighbours_of_many(&asked, max).await.unwrap();
        let near = |a: u64, b: u64| (a ^ b).count_ones() <= max;
        for hash in &asked {
            let mut own: Vec<(i64, String)> = store
                .simhash_candidates(*hash)
                .await
                .unwrap()
                .iter()
                .filter(|c| near(c.simhash, *hash))
                .map(|c| (c.id, c.title.clone()))
                .collect();
            let mut from_batch: Vec<(i64, String)> = all
                .iter()
                .filter(|c| near(c.simhash, *hash))
                .map(|c| (c.id, c.title.clone()))
                .collect();
            own.sort_unstable();
            from_batch.sort_unstable();
            assert!(!own.is_empty(), "{backend:?}");
            assert_eq!(own, from_batch, "{backend:?}: {hash:x}");
        }
        // Only near ones: none of the unrelated fingerprints.
        assert!(
            all.iter()
                .all(|c| asked.iter().any(|a| near(*a, c.simhash))),
            "{backend:?}"
        );
        assert!(store
            .simhash_neighbours_of_many(&[], max)
            .await
            .unwrap()
            .is_empty());

        // One batch: a document twice and one already stored are duplicates; the category is
        // made once and shared.
        let again = store
            .insert_articles(
                &[
                    article("新稿", "fresh", Some("新栏目"), "2024-02-01"),
                    article("新稿", "fresh", Some("新栏目"), "2024-02-01"),
                    article("稿0", "band0", Some("栏目"), "2024-01-01"),
                    article("又一稿", "another", Some("新栏目"), "2024-02-02"),
                ],
                2_000,
            )
            .await
            .unwrap();
        let InsertOutcome::Inserted(fresh) = again[0] else {
            panic!("{backend:?}: {again:?}")
        };
        assert_eq!(again[1], InsertOutcome::Duplicate(fresh), "{backend:?}");
        assert!(matches!(again[2], InsertOutcome::Duplicate(_)), "{again:?}");
        assert!(matches!(again[3], InsertOutcome::Inserted(_)), "{again:?}");
        let categories = store.categories().await.unwrap();
        assert_eq!(
            categories.iter().filter(|c| c.name == "新栏目").count(),
            1,
            "{backend:?}"
        );
    })
    .await;
}

/// What a store holds after an import, in a form two stores can be compared by.
async fn imported_state(store: &Store, ids: &[i64]) -> Vec<String> {
    let mut state = Vec::new();
    for change in store.changes_since(0, 1_000).await.unwrap() {
        state.push(format!("change {} {}", change.article_id, change.kind));
    }
    for id in ids {
        let row = store.article(*id).await.unwrap().unwrap();
        state.push(format!(
            "article {id} {} {:?} {} {:?} tags {:?}",
            row.title,
            row.category_name,
            row.status,
            store.simhash(*id).await.unwrap(),
            store.article_tags(*id).await.unwrap()
        ));
    }
    let (pairs, total) = store.duplicate_pairs(64, 1_000, 0).await.unwrap();
    state.push(format!("{total} pairs"));
    for pair in pairs {
        state.push(format!(
            "pair {} {} {}",
            pair.a_id, pair.b_id, pair.distance
        ));
    }
    state
}

#[tokio::test]
async fn a_batch_stores_what_storing_its_documents_one_by_one_stores() {
    for backend in backends() {
        // Documents near each other (in the batch and with one stored before), duplicates of an
        // earlier one in the batch and of a stored one, tags shared and repeated, categories.
        let base: u64 = 0x0123_4567_89AB_CDEF;
        let stored_before = NewArticle {
            simhash: Some(base ^ 1),
            ..article("早先的稿", "early", Some("讲话"), "2023-01-01")
        };
        let mut batch: Vec<NewArticle> = (0..30)
            .map(|i| {
                let mut a = article(
                    &format!("稿{i}"),
                    &format!("h{i}"),
                    Some(["讲话", "报告", "总结"][i % 3]),
                    "2024-01-01",
                );
                a.simhash = Some(match i % 4 {
                    0 => base ^ (1 << (i % 64)),
                    1 => base ^ (0b111 << (i % 60)),
                    _ => base.rotate_left(i as u32 + 7) ^ (i as u64) << 32,
                });
                a.tags = vec![
                    format!("标签{}", i % 5),
                    "共同".to_owned(),
                    "共同".to_owned(),
                ];
                a
            })
            .collect();
        batch.push(article("稿3", "h3", Some("讲话"), "2024-01-01"));
        batch.push(article("早先的稿", "early", Some("讲话"), "2023-01-01"));
        batch[7].simhash = None;

        let together = TestDatabase::new(backend).await;
        let together = Store::connect(&together.url).await.unwrap();
        let one_by_one = TestDatabase::new(backend).await;
        let one_by_one = Store::connect(&one_by_one.url).await.unwrap();
        for store in [&together, &one_by_one] {
            store
                .insert_articles(std::slice::from_ref(&stored_before), 1)
                .await
                .unwrap();
        }
        let outcomes = together.insert_articles(&batch, 2).await.unwrap();
        let mut each = Vec::new();
        for a in &batch {
            each.extend(
                one_by_one
                    .insert_articles(std::slice::from_ref(a), 2)
                    .await
                    .unwrap(),
            );
        }
        assert_eq!(outcomes, each, "{backend:?}");
        assert_eq!(
            outcomes[30],
            InsertOutcome::Duplicate(outcome_id(outcomes[3]))
        );
        assert!(
            matches!(outcomes[31], InsertOutcome::Duplicate(1)),
            "{outcomes:?}"
        );
        let ids: Vec<i64> = std::iter::once(1)
            .chain(outcomes.iter().filter_map(|o| match o {
                InsertOutcome::Inserted(id) => Some(*id),
                InsertOutcome::Duplicate(_) => None,
            }))
            .collect();
        assert_eq!(
            ids,
            (1..=31).collect::<Vec<i64>>(),
            "{backend:?}: ids in batch order"
        );
        let state = imported_state(&together, &ids).await;
        assert!(
            state.iter().filter(|l| l.starts_with("pair ")).count() > 10,
            "{backend:?}: {state:#?}"
        );
        assert_eq!(
            state,
            imported_state(&one_by_one, &ids).await,
            "{backend:?}"
        );
        together.close().await;
        one_by_one.close().await;
    }
}

fn outcome_id(outcome: InsertOutcome) -> i64 {
    match outcome {
        InsertOutcome::Inserted(id) | InsertOutcome::Duplicate(id) => id,
    }
}

#[tokio::test]
async fn related_candidates_score_exactly_and_find_a_document_past_a_common_keywords_heaviest() {
    each_backend(|store, backend| async move {
        // More holders of 甲 than are read per keyword, every one weighing it more than the
        // document that is in fact the nearest (it shares 乙 with the source, which they do not).
        let fillers = wenyuan_store::HEAVIEST_PER_KEYWORD + 50;
        let mut docs: Vec<NewArticle> = (0..fillers)
            .map(|i| article(&format!("填充{i}"), &format!("f{i}"), None, "2024-01-01"))
            .collect();
        docs.push(article("来源", "source", None, "2024-01-02"));
        docs.push(article("最近", "nearest", None, "2024-01-03"));
        let mut draft = article("草稿", "draft", None, "2024-01-04");
        draft.status = "draft".to_owned();
        docs.push(draft);
        // Copies of the source under other titles: more of them than the list is long.
        let copies = 12;
        docs.extend((0..copies).map(|i| {
            article(
                &format!("来源（{i}）"),
                &format!("copy{i}"),
                None,
                "2024-01-05",
            )
        }));
        let ids: Vec<i64> = store
            .insert_articles(&docs, 1_000)
            .await
            .unwrap()
            .into_iter()
            .map(outcome_id)
            .collect();
        let (source, nearest, draft) = (ids[fillers], ids[fillers + 1], ids[fillers + 2]);
        let word = |k: &str, w: f64| (k.to_owned(), w);
        let mut keywords: Vec<(i64, Vec<(String, f64)>)> = ids[..fillers]
            .iter()
            .map(|id| (*id, vec![word("甲", 0.9), word("丙", 0.436)]))
            .collect();
        keywords.push((source, vec![word("甲", 0.8), word("乙", 0.6)]));
        keywords.push((nearest, vec![word("甲", 0.5), word("乙", 0.866)]));
        keywords.push((draft, vec![word("甲", 0.8), word("乙", 0.6)]));
        let copy_ids = &ids[fillers + 3..];
        assert_eq!(copy_ids.len(), copies);
        for copy in copy_ids {
            keywords.push((*copy, vec![word("甲", 0.8), word("乙", 0.6)]));
        }
        store.set_keywords_of_many(&keywords).await.unwrap();

        let found = store.related_candidates(source, 10, 0.98).await.unwrap();
        // The 10 most similar, neither the draft nor the copies taking a place.
        assert_eq!(found.len(), 10, "{backend:?}: {found:?}");
        assert!(
            found.iter().all(|c| !copy_ids.contains(&c.id)),
            "{backend:?}: no copy of the source is related to it"
        );
        assert_eq!(found[0].id, nearest, "{backend:?}: {found:?}");
        // The whole vectors' dot product, not the part seen through 甲's heaviest holders.
        assert!(
            (found[0].similarity - (0.8 * 0.5 + 0.6 * 0.866)).abs() < 1e-9,
            "{backend:?}: {}",
            found[0].similarity
        );
        assert_eq!(found[0].shared_tags, 2, "both test tags");
        for other in &found[1..] {
            assert!(ids[..fillers].contains(&other.id), "{backend:?}: {other:?}");
            assert!((other.similarity - 0.72).abs() < 1e-9);
        }
        assert!(
            found.iter().all(|c| c.id != source && c.id != draft),
            "never itself nor a document not published"
        );
        let by_similarity = found.windows(2).all(|w| w[0].similarity >= w[1].similarity);
        assert!(by_similarity, "{backend:?}");

        // A document without keywords has no related documents yet.
        let lone = store
            .insert_articles(&[article("孤", "lone", None, "2024-01-05")], 1_001)
            .await
            .unwrap()
            .into_iter()
            .map(outcome_id)
            .next()
            .unwrap();
        assert!(store
            .related_candidates(lone, 10, 0.98)
            .await
            .unwrap()
            .is_empty());
    })
    .await;
}
