//! Behaviour every backend must share: scoping, audit chain, registry, backup.
use crate::on_both;
use crate::support::{Fresh, staff};
use onestop_domain::model::Role;
use onestop_store::*;

fn named(name: &str) -> CustomerInput {
    CustomerInput {
        name: Some(name.into()),
        ..Default::default()
    }
}

fn asset(name: &str, kind: &str) -> AssetInput {
    AssetInput {
        name: Some(name.into()),
        kind: Some(kind.into()),
        ..Default::default()
    }
}

on_both!(customers_are_scoped, |f: Fresh| async move {
    let s = &f.store;
    let a = s.create_customer(&staff(), named("Acme")).await.unwrap();
    let b = s.create_customer(&staff(), named("Globex")).await.unwrap();
    s.create_asset(&staff(), &a.id, asset("web1", "server"))
        .await
        .unwrap();
    let b_asset = s
        .create_asset(&staff(), &b.id, asset("db1", "server"))
        .await
        .unwrap();
    let cust = Scope::Customer {
        user_id: "u1".into(),
        username: "bob".into(),
        customer_id: a.id.clone(),
    };
    let seen = s
        .list_customers(&cust, &CustomerQuery::default())
        .await
        .unwrap();
    assert_eq!(
        seen.items
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["Acme"]
    );
    assert!(matches!(
        s.get_customer(&cust, &b.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.get_asset(&cust, &b_asset.id).await,
        Err(StoreError::NotFound)
    ));
    let assets = s.list_assets(&cust, &AssetQuery::default()).await.unwrap();
    assert_eq!(assets.total, 1);
    // Even naming the other customer explicitly gives nothing.
    let q = AssetQuery {
        customer_id: Some(b.id.clone()),
        ..Default::default()
    };
    assert_eq!(s.list_assets(&cust, &q).await.unwrap().total, 0);
    assert!(matches!(
        s.create_asset(&cust, &a.id, asset("x", "server")).await,
        Err(StoreError::Forbidden(_))
    ));
    assert_eq!(
        s.list_assets(&staff(), &AssetQuery::default())
            .await
            .unwrap()
            .total,
        2
    );
});

on_both!(
    audit_chain_records_and_detects_tampering,
    |f: Fresh| async move {
        let s = &f.store;
        let c = s.create_customer(&staff(), named("Acme")).await.unwrap();
        s.update_customer(
            &staff(),
            &c.id,
            CustomerInput {
                notes: Some("vip".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let log = s
            .audit_list(&staff(), &AuditFilter::default())
            .await
            .unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].action, "customer.update");
        assert!(log[0].before.as_deref().unwrap().contains("\"notes\":\"\""));
        assert!(log[0].after.as_deref().unwrap().contains("vip"));
        assert_eq!(
            s.audit_verify().await.unwrap(),
            VerifyReport::Intact { entries: 2 }
        );
        // Alter entry 1 behind the store's back.
        let pool = sqlx::AnyPool::connect(&f.url).await.unwrap();
        sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1")
            .execute(&pool)
            .await
            .unwrap();
        match s.audit_verify().await.unwrap() {
            VerifyReport::Broken { seq, .. } => assert_eq!(seq, 1),
            other => panic!("tampering not detected: {other:?}"),
        }
    }
);

on_both!(audit_detects_removal_at_end, |f: Fresh| async move {
    let s = &f.store;
    for n in ["A", "B", "C"] {
        s.create_customer(&staff(), named(n)).await.unwrap();
    }
    let pool = sqlx::AnyPool::connect(&f.url).await.unwrap();
    sqlx::query("DELETE FROM audit_log WHERE seq = 3")
        .execute(&pool)
        .await
        .unwrap();
    assert!(matches!(
        s.audit_verify().await.unwrap(),
        VerifyReport::Broken { .. }
    ));
});

on_both!(
    concurrent_writers_never_fork_the_chain,
    |f: Fresh| async move {
        // A second, independent pool stands for a second process.
        let other = Store::open(&f.url).await.unwrap();
        let mut handles = Vec::new();
        for i in 0..40 {
            let s = if i % 2 == 0 {
                f.store.clone()
            } else {
                other.clone()
            };
            handles.push(tokio::spawn(async move {
                s.create_customer(&staff(), named(&format!("c{i}")))
                    .await
                    .unwrap()
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
        assert_eq!(
            f.store.audit_verify().await.unwrap(),
            VerifyReport::Intact { entries: 40 }
        );
    }
);

on_both!(
    assets_validate_filter_sort_and_page,
    |f: Fresh| async move {
        let s = &f.store;
        let c = s.create_customer(&staff(), named("Acme")).await.unwrap();
        for i in 0..30 {
            let kind = if i % 3 == 0 {
                "network_device"
            } else {
                "server"
            };
            s.create_asset(&staff(), &c.id, asset(&format!("host{i:02}"), kind))
                .await
                .unwrap();
        }
        let err = s
            .create_asset(&staff(), &c.id, asset("bad", "toaster"))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("kind"), "{err}");
        let bad_date = AssetInput {
            warranty_expiry: Some("2026-02-30".into()),
            ..asset("x", "server")
        };
        assert!(s.create_asset(&staff(), &c.id, bad_date).await.is_err());
        let q = AssetQuery {
            kind: Some("server".into()),
            sort: Some("-name".into()),
            per_page: Some(5),
            page: Some(2),
            ..Default::default()
        };
        let p = s.list_assets(&staff(), &q).await.unwrap();
        assert_eq!(p.total, 20);
        assert_eq!(
            p.items.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
            ["host22", "host20", "host19", "host17", "host16"]
        );
        let q = AssetQuery {
            q: Some("HOST0".into()),
            ..Default::default()
        };
        assert_eq!(s.list_assets(&staff(), &q).await.unwrap().total, 10);
    }
);

on_both!(relations_and_impact, |f: Fresh| async move {
    let s = &f.store;
    let c = s.create_customer(&staff(), named("Acme")).await.unwrap();
    let sw = s
        .create_asset(&staff(), &c.id, asset("core-switch", "network_device"))
        .await
        .unwrap();
    let srv = s
        .create_asset(&staff(), &c.id, asset("srv1", "server"))
        .await
        .unwrap();
    let app = s
        .create_asset(&staff(), &c.id, asset("billing", "service"))
        .await
        .unwrap();
    s.create_relation(&staff(), &srv.id, &sw.id, "connected_to")
        .await
        .unwrap();
    s.create_relation(&staff(), &app.id, &srv.id, "runs_on")
        .await
        .unwrap();
    assert!(
        s.create_relation(&staff(), &app.id, &srv.id, "runs_on")
            .await
            .is_err()
    );
    let r = s.impact(&staff(), &sw.id).await.unwrap();
    let names: Vec<(&str, u32)> = r
        .impacted
        .iter()
        .map(|a| (a.name.as_str(), a.depth))
        .collect();
    assert_eq!(names, [("srv1", 1), ("billing", 2)]);
    assert_eq!(r.services, ["billing"]);
    assert_eq!(r.customers, std::slice::from_ref(&c.id));
    assert_eq!(s.asset_relations(&staff(), &srv.id).await.unwrap().len(), 2);
});

on_both!(csv_import_is_all_or_nothing, |f: Fresh| async move {
    let s = &f.store;
    let c = s.create_customer(&staff(), named("Acme")).await.unwrap();
    let bad =
        "name,kind,warranty_expiry\nweb1,server,2027-01-01\n,server,\nweb3,fridge,2027-13-01\n";
    let errs = s
        .import_assets_csv(&staff(), &c.id, bad)
        .await
        .unwrap()
        .unwrap_err()
        .0;
    assert_eq!(errs.len(), 3, "{errs:?}");
    assert!(errs[0].starts_with("row 3: name"), "{errs:?}");
    assert!(
        errs.iter().any(|e| e.starts_with("row 4: kind")),
        "{errs:?}"
    );
    assert!(
        errs.iter().any(|e| e.starts_with("row 4: warranty_expiry")),
        "{errs:?}"
    );
    assert_eq!(
        s.list_assets(&staff(), &AssetQuery::default())
            .await
            .unwrap()
            .total,
        0
    );
    let good = "name,kind,serial,warranty_expiry,attributes\nweb1,server,SN1,2027-01-01,\"{\"\"cpu\"\":8}\"\nsw1,network_device,,,\n";
    assert_eq!(
        s.import_assets_csv(&staff(), &c.id, good)
            .await
            .unwrap()
            .unwrap(),
        2
    );
    let out = s.export_assets_csv(&staff(), &c.id).await.unwrap();
    assert!(out.starts_with("name,kind,model"));
    assert!(out.contains("web1,server,,,SN1"), "{out}");
    let expiring = s.expiries(&staff(), "2027-06-30", 10).await.unwrap();
    assert_eq!(expiring.len(), 1);
    assert_eq!(expiring[0].asset_name, "web1");
});

on_both!(users_tokens_and_sessions, |f: Fresh| async move {
    let s = &f.store;
    let u = s
        .create_user(
            &Scope::System,
            NewUser {
                username: "carol".into(),
                display_name: None,
                email: None,
                role: Role::Front,
                customer_id: None,
                password: Some("pw-123456".into()),
                language: None,
            },
        )
        .await
        .unwrap();
    let (_, hash, _) = s.user_for_login("carol").await.unwrap().unwrap();
    assert!(auth::verify_password("pw-123456", &hash.unwrap()));
    let scope = Scope::Staff {
        user_id: u.id.clone(),
        username: u.username.clone(),
        role: u.role,
    };
    let (tok, secret) = s.create_token(&scope, &u.id, "ci").await.unwrap();
    assert_eq!(
        s.user_by_token(&secret).await.unwrap().unwrap().username,
        "carol"
    );
    s.revoke_token(&scope, &tok.id).await.unwrap();
    assert!(s.user_by_token(&secret).await.unwrap().is_none());
    let (session, _csrf) = s
        .create_session(&u, true, 60_000, "127.0.0.1")
        .await
        .unwrap();
    assert_eq!(s.session(&session).await.unwrap().unwrap().user.id, u.id);
    s.end_session(&session, &u).await.unwrap();
    assert!(s.session(&session).await.unwrap().is_none());
    let actions: Vec<String> = s
        .audit_list(&Scope::System, &AuditFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "auth.sign_out",
            "auth.sign_in",
            "token.revoke",
            "token.create",
            "user.create"
        ]
    );
    // A customer user needs a customer.
    let nu = NewUser {
        username: "dave".into(),
        display_name: None,
        email: None,
        role: Role::Customer,
        customer_id: None,
        password: None,
        language: None,
    };
    assert!(matches!(
        s.create_user(&Scope::System, nu).await,
        Err(StoreError::Invalid(_))
    ));
});

on_both!(backup_and_restore_keep_the_chain, |f: Fresh| async move {
    let s = &f.store;
    let c = s.create_customer(&staff(), named("Acme")).await.unwrap();
    s.create_asset(&staff(), &c.id, asset("web1", "server"))
        .await
        .unwrap();
    let mut buf = Vec::new();
    let sum = s.backup(&mut buf).await.unwrap();
    assert!(sum.rows >= 4);
    let target = crate::support::sqlite().await;
    target.store.restore(&mut buf.as_slice()).await.unwrap();
    assert_eq!(
        target.store.audit_verify().await.unwrap(),
        VerifyReport::Intact { entries: 2 }
    );
    assert_eq!(
        target
            .store
            .list_assets(&staff(), &AssetQuery::default())
            .await
            .unwrap()
            .items[0]
            .name,
        "web1"
    );
    // A non-empty target is refused.
    assert!(matches!(
        target.store.restore(&mut buf.as_slice()).await,
        Err(StoreError::Conflict(_))
    ));
});

on_both!(asset_updates_and_search, |f: Fresh| async move {
    let s = &f.store;
    let c = s.create_customer(&staff(), named("Acme")).await.unwrap();
    let first = s
        .create_asset(&staff(), &c.id, asset("web-alpha", "server"))
        .await
        .unwrap();
    s.create_asset(&staff(), &c.id, asset("db-beta", "server"))
        .await
        .unwrap();
    // A partial update changes only what it names, and is audited with before and after.
    let patch = AssetInput {
        rack: Some("R1".into()),
        status: Some("retired".into()),
        ..Default::default()
    };
    let updated = s.update_asset(&staff(), &first.id, patch).await.unwrap();
    assert_eq!(
        (
            updated.rack.as_str(),
            updated.status.as_str(),
            updated.name.as_str()
        ),
        ("R1", "retired", "web-alpha")
    );
    assert_eq!(s.get_asset(&staff(), &first.id).await.unwrap(), updated);
    let af = AuditFilter {
        entity_id: Some(first.id.clone()),
        action: Some("asset.update".into()),
        ..Default::default()
    };
    let entry = &s.audit_list(&staff(), &af).await.unwrap()[0];
    assert!(
        entry.before.as_deref().unwrap().contains("in_service")
            && entry.after.as_deref().unwrap().contains("retired")
    );
    // Search follows renames (on SQLite through the trigram index kept by triggers); short
    // terms and LIKE wildcards in the term are taken literally.
    let search = |t: &str| AssetQuery {
        q: Some(t.into()),
        ..Default::default()
    };
    s.update_asset(
        &staff(),
        &first.id,
        AssetInput {
            name: Some("Renamed-Box".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        s.list_assets(&staff(), &search("NAMED-b"))
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(
        s.list_assets(&staff(), &search("web-alpha"))
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        s.list_assets(&staff(), &search("ta")).await.unwrap().total,
        1
    );
    assert_eq!(
        s.list_assets(&staff(), &search("100%\""))
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        s.list_assets(&staff(), &search("b%x")).await.unwrap().total,
        0
    );
});

on_both!(contacts_and_sites_across_customers, |f: Fresh| async move {
    let s = &f.store;
    let a = s.create_customer(&staff(), named("Acme")).await.unwrap();
    let b = s.create_customer(&staff(), named("Globex")).await.unwrap();
    let contact = |name: &str, email: &str, roles: &[&str]| ContactInput {
        name: name.into(),
        email: Some(email.into()),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        ..Default::default()
    };
    let yamada = s
        .create_contact(
            &staff(),
            &a.id,
            contact("Yamada", "Yamada@Acme.example", &["security_notices"]),
        )
        .await
        .unwrap();
    assert_eq!(yamada.email.as_deref(), Some("yamada@acme.example"));
    s.create_contact(
        &staff(),
        &a.id,
        contact("Sato", "sato@acme.example", &["sign_off"]),
    )
    .await
    .unwrap();
    s.create_contact(
        &staff(),
        &b.id,
        contact("Brown", "brown@globex.example", &["security_notices"]),
    )
    .await
    .unwrap();
    // Bad input is refused with the field named, and nothing is written.
    for bad in [
        contact("", "x@y.example", &[]),
        contact("X", "not-an-address", &[]),
        contact("X", "x@y.example", &["Security Notices"]),
    ] {
        assert!(matches!(
            s.create_contact(&staff(), &a.id, bad).await,
            Err(StoreError::Invalid(_))
        ));
    }
    // Across customers: search, role filter, sort, pages.
    let all = s
        .list_contacts(&staff(), &ContactQuery::default())
        .await
        .unwrap();
    assert_eq!(all.total, 3);
    let names = |p: &Page<Contact>| p.items.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&all), ["Brown", "Sato", "Yamada"]);
    let q = ContactQuery {
        role: Some("security_notices".into()),
        sort: Some("-name".into()),
        ..Default::default()
    };
    assert_eq!(
        names(&s.list_contacts(&staff(), &q).await.unwrap()),
        ["Yamada", "Brown"]
    );
    let q = ContactQuery {
        q: Some("ACME.EX".into()),
        per_page: Some(1),
        page: Some(2),
        ..Default::default()
    };
    let p = s.list_contacts(&staff(), &q).await.unwrap();
    assert_eq!((p.total, names(&p)), (2, vec!["Yamada".to_string()]));
    // A customer's user sees only its own contacts, even when naming another customer.
    let cust = Scope::Customer {
        user_id: "u1".into(),
        username: "bob".into(),
        customer_id: b.id.clone(),
    };
    assert_eq!(
        names(
            &s.list_contacts(&cust, &ContactQuery::default())
                .await
                .unwrap()
        ),
        ["Brown"]
    );
    let q = ContactQuery {
        customer_id: Some(a.id.clone()),
        ..Default::default()
    };
    assert_eq!(s.list_contacts(&cust, &q).await.unwrap().total, 0);
    assert!(matches!(
        s.get_contact(&cust, &yamada.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.update_contact(&cust, &yamada.id, ContactPatch::default())
            .await,
        Err(StoreError::Forbidden(_))
    ));
    // Edit: a partial change keeps the rest; an empty string clears an optional field.
    let p = ContactPatch {
        phone: Some("03-1234-5678".into()),
        email: Some("".into()),
        roles: Some(vec![
            "sign_off".into(),
            "security_notices".into(),
            "sign_off".into(),
        ]),
        ..Default::default()
    };
    let changed = s.update_contact(&staff(), &yamada.id, p).await.unwrap();
    assert_eq!(changed.name, "Yamada");
    assert_eq!(changed.email, None);
    assert_eq!(changed.phone.as_deref(), Some("03-1234-5678"));
    assert_eq!(changed.roles, ["sign_off", "security_notices"]);
    assert_eq!(s.get_contact(&staff(), &yamada.id).await.unwrap(), changed);
    // Sites: create, list with search, edit, delete; a site in use cannot go.
    let site = s
        .create_site(
            &staff(),
            &a.id,
            SiteInput {
                name: "Tokyo DC".into(),
                address: "Koto-ku, Tokyo".into(),
                rooms: vec!["B1".into(), " ".into(), "3F".into()],
            },
        )
        .await
        .unwrap();
    assert_eq!(site.rooms, ["B1", "3F"]);
    let q = SiteQuery {
        q: Some("koto".into()),
        ..Default::default()
    };
    assert_eq!(s.list_sites(&staff(), &q).await.unwrap().total, 1);
    assert_eq!(
        s.list_sites(&cust, &SiteQuery::default())
            .await
            .unwrap()
            .total,
        0
    );
    let site = s
        .update_site(
            &staff(),
            &site.id,
            SitePatch {
                address: Some("Shinagawa, Tokyo".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (site.name.as_str(), site.address.as_str()),
        ("Tokyo DC", "Shinagawa, Tokyo")
    );
    let mut input = asset("web1", "server");
    input.site_id = Some(site.id.clone());
    s.create_asset(&staff(), &a.id, input).await.unwrap();
    assert!(matches!(
        s.delete_site(&staff(), &site.id).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(s.get_site(&staff(), &site.id).await.unwrap(), site);
    // Deletes are audited with the record as it was.
    s.delete_contact(&staff(), &yamada.id).await.unwrap();
    assert!(matches!(
        s.get_contact(&staff(), &yamada.id).await,
        Err(StoreError::NotFound)
    ));
    let log = s
        .audit_list(
            &staff(),
            &AuditFilter {
                entity_id: Some(yamada.id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let actions: Vec<_> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["contact.delete", "contact.update", "contact.create"]
    );
    assert!(log[0].before.as_deref().unwrap().contains("03-1234-5678"));
    assert!(matches!(
        s.audit_verify().await.unwrap(),
        VerifyReport::Intact { .. }
    ));
});

on_both!(relations_can_be_removed, |f: Fresh| async move {
    let s = &f.store;
    let a = s.create_customer(&staff(), named("Acme")).await.unwrap();
    let b = s.create_customer(&staff(), named("Globex")).await.unwrap();
    let vm = s
        .create_asset(&staff(), &a.id, asset("vm1", "server"))
        .await
        .unwrap();
    let host = s
        .create_asset(&staff(), &a.id, asset("esx1", "server"))
        .await
        .unwrap();
    let r = s
        .create_relation(&staff(), &vm.id, &host.id, "runs_on")
        .await
        .unwrap();
    assert_eq!(
        s.impact(&staff(), &host.id).await.unwrap().impacted.len(),
        1
    );
    let other = Scope::Customer {
        user_id: "u1".into(),
        username: "bob".into(),
        customer_id: b.id.clone(),
    };
    assert!(matches!(
        s.delete_relation(&other, &r.id).await,
        Err(StoreError::Forbidden(_))
    ));
    s.delete_relation(&staff(), &r.id).await.unwrap();
    assert!(
        s.asset_relations(&staff(), &vm.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.impact(&staff(), &host.id)
            .await
            .unwrap()
            .impacted
            .is_empty()
    );
    assert!(matches!(
        s.delete_relation(&staff(), &r.id).await,
        Err(StoreError::NotFound)
    ));
    let log = s
        .audit_list(
            &staff(),
            &AuditFilter {
                action: Some("relation.delete".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
});
