//! Contact messages in the store, on SQLite and on PostgreSQL.

use wenyuan_store::testing::{backends, TestDatabase};
use wenyuan_store::{MessageCounts, NewAuditEntry, NewMessage, Store};

fn message<'a>(name: &'a str, text: &'a str, at: i64) -> NewMessage<'a> {
    NewMessage {
        name,
        contact: "13800000000",
        message: text,
        ip: "203.0.113.7",
        user_agent: "Mozilla/5.0 (test)",
        created_at: at,
    }
}

#[tokio::test]
async fn messages_list_newest_first_and_count_the_unread() {
    for backend in backends() {
        let db = TestDatabase::new(backend).await;
        let store = Store::connect(&db.url).await.expect("connect");
        assert_eq!(
            store.message_counts().await.unwrap(),
            MessageCounts::default()
        );
        let first = store
            .insert_message(&message("张先生", "想咨询会员价格。", 1_000))
            .await
            .unwrap();
        let second = store
            .insert_message(&message("李女士", "第二条留言\n有两行。", 2_000))
            .await
            .unwrap();
        let third = store
            .insert_message(&message("王老师", "第三条", 3_000))
            .await
            .unwrap();
        assert!(first < second && second < third, "{backend:?}");

        let all = store.messages(false, 10, 0).await.unwrap();
        let ids: Vec<i64> = all.iter().map(|m| m.id).collect();
        assert_eq!(ids, vec![third, second, first], "{backend:?}: newest first");
        let two = &all[1];
        assert_eq!(
            (
                two.name.as_str(),
                two.message.as_str(),
                two.contact.as_str()
            ),
            ("李女士", "第二条留言\n有两行。", "13800000000")
        );
        assert_eq!((two.ip.as_str(), two.created_at), ("203.0.113.7", 2_000));
        assert_eq!((two.is_read, two.reply_note.as_deref()), (0, None));

        let page2 = store.messages(false, 2, 2).await.unwrap();
        assert_eq!(page2.len(), 1);
        assert_eq!(page2[0].id, first, "{backend:?}: offset pages on");

        let audit = NewAuditEntry {
            user_id: Some(1),
            user_name: "boss",
            action: "message.read",
            target: "message:2",
            detail: "",
        };
        assert!(store
            .set_message_read(second, true, &audit, 4_000)
            .await
            .unwrap());
        assert!(
            !store
                .set_message_read(9_999, true, &audit, 4_000)
                .await
                .unwrap(),
            "no such message"
        );
        assert_eq!(store.count_audit_entries(None).await.unwrap(), 1);
        assert_eq!(
            store.message_counts().await.unwrap(),
            MessageCounts {
                total: 3,
                unread: 2
            },
            "{backend:?}"
        );
        let read = store.messages(false, 10, 0).await.unwrap();
        assert_eq!(read[1].is_read, 1);
        let unread: Vec<i64> = store
            .messages(true, 10, 0)
            .await
            .unwrap()
            .iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(unread, vec![third, first], "{backend:?}: only the unread");
        assert!(store
            .set_message_note(first, Some("已电话回复"), &audit, 5_000)
            .await
            .unwrap());
        let noted = store.messages(false, 10, 0).await.unwrap();
        assert_eq!(noted[2].reply_note.as_deref(), Some("已电话回复"));
        store.close().await;
    }
}
