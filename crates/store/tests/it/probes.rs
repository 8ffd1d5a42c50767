//! Server probes' storage on every backend: checks and scrape targets scoped to their
//! customer, staff-only changes with audit entries, validation, the sealed secret never in a
//! record or the audit, and the newest result telling a change of state from a repeat.
use crate::on_both;
use crate::support::{Fresh, staff};
use onestop_store::*;

async fn customer_asset(s: &Store, name: &str) -> (Customer, Asset) {
    let c = s
        .create_customer(
            &staff(),
            CustomerInput {
                name: Some(name.into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let a = s
        .create_asset(
            &staff(),
            &c.id,
            AssetInput {
                name: Some(format!("{name}-web")),
                kind: Some("server".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    (c, a)
}

fn user_of(customer_id: &str) -> Scope {
    Scope::Customer {
        user_id: "u-p".into(),
        username: "pat".into(),
        customer_id: customer_id.into(),
    }
}

fn tcp(host: &str, name: &str) -> CheckInput {
    CheckInput {
        host_id: host.into(),
        name: name.into(),
        kind: "tcp".into(),
        target: "db.example:5432".into(),
        ..Default::default()
    }
}

on_both!(
    checks_are_scoped_audited_and_validated,
    |f: Fresh| async move {
        let s = &f.store;
        let (acme, web) = customer_asset(s, "Acme").await;
        let (globex, gweb) = customer_asset(s, "Globex").await;
        let c = s
            .create_check(&staff(), tcp(&web.id, "db port"))
            .await
            .unwrap();
        assert_eq!(
            (c.customer_id.as_str(), c.interval_secs, c.timeout_ms),
            (acme.id.as_str(), 60, 5000)
        );
        let h = s.get_host(&staff(), &web.id, 60_000).await.unwrap();
        assert_eq!(h.source, "probe", "the asset became a polled host");
        s.create_check(&staff(), tcp(&gweb.id, "db port"))
            .await
            .unwrap();
        // A customer's user sees its own, cannot change, cannot see others'.
        let mine = s.list_checks(&user_of(&acme.id), None).await.unwrap();
        assert_eq!(
            mine.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            [c.id.as_str()]
        );
        assert!(matches!(
            s.create_check(&user_of(&acme.id), tcp(&web.id, "x")).await,
            Err(StoreError::Forbidden(_))
        ));
        assert!(matches!(
            s.get_check(&user_of(&globex.id), &c.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.delete_check(&user_of(&acme.id), &c.id).await,
            Err(StoreError::Forbidden(_))
        ));
        // Same name twice on one host is a conflict; bad input is invalid.
        assert!(matches!(
            s.create_check(&staff(), tcp(&web.id, "db port")).await,
            Err(StoreError::Conflict(_))
        ));
        let bad = [
            CheckInput {
                target: "no-port".into(),
                ..tcp(&web.id, "b1")
            },
            CheckInput {
                kind: "gopher".into(),
                ..tcp(&web.id, "b2")
            },
            CheckInput {
                interval_secs: Some(0),
                ..tcp(&web.id, "b3")
            },
            CheckInput {
                kind: "dns".into(),
                target: "example.org".into(),
                params: Some(CheckParams {
                    server: Some("not an ip".into()),
                    ..Default::default()
                }),
                ..tcp(&web.id, "b4")
            },
            CheckInput {
                kind: "http".into(),
                target: "https://x/".into(),
                params: Some(CheckParams {
                    body_regex: Some("(".into()),
                    ..Default::default()
                }),
                ..tcp(&web.id, "b5")
            },
        ];
        for i in bad {
            let name = i.name.clone();
            assert!(
                matches!(
                    s.create_check(&staff(), i).await,
                    Err(StoreError::Invalid(_))
                ),
                "{name}"
            );
        }
        let u = s
            .update_check(
                &staff(),
                &c.id,
                CheckPatch {
                    interval_secs: Some(5),
                    enabled: Some(false),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!((u.interval_secs, u.enabled), (5, false));
        assert!(
            s.check_jobs().await.unwrap().iter().all(|j| j.id != c.id),
            "disabled checks do not run"
        );
        s.delete_check(&staff(), &c.id).await.unwrap();
        assert!(matches!(
            s.get_check(&staff(), &c.id).await,
            Err(StoreError::NotFound)
        ));
        let audit = s
            .audit_list(
                &staff(),
                &AuditFilter {
                    entity: Some("check".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let actions: Vec<_> = audit
            .iter()
            .filter(|e| e.entity_id == c.id)
            .map(|e| e.action.as_str())
            .collect();
        for a in ["check.create", "check.update", "check.delete"] {
            assert!(actions.contains(&a), "{a} in {actions:?}");
        }
        assert!(matches!(
            s.audit_verify().await.unwrap(),
            VerifyReport::Intact { .. }
        ));
    }
);

on_both!(results_tell_a_change_of_state, |f: Fresh| async move {
    let s = &f.store;
    let (_, web) = customer_asset(s, "Acme").await;
    let c = s.create_check(&staff(), tcp(&web.id, "db")).await.unwrap();
    let state = |ok: bool, at: i64| ProbeState {
        run_at: at,
        ok,
        message: if ok { "ok".into() } else { "refused".into() },
        duration_ms: 3,
        method: Some("tcp".into()),
    };
    assert_eq!(
        s.record_check_result(&c.id, &state(true, 1)).await.unwrap(),
        None,
        "never ran"
    );
    assert_eq!(
        s.record_check_result(&c.id, &state(false, 2))
            .await
            .unwrap(),
        Some(true)
    );
    assert_eq!(
        s.record_check_result(&c.id, &state(false, 3))
            .await
            .unwrap(),
        Some(false)
    );
    let got = s.get_check(&staff(), &c.id).await.unwrap();
    assert_eq!(got.last, Some(state(false, 3)));
    assert_eq!(
        s.record_check_result("gone", &state(true, 4))
            .await
            .unwrap(),
        None
    );
});

on_both!(
    scrape_targets_keep_the_secret_sealed,
    |f: Fresh| async move {
        let s = &f.store;
        let (acme, web) = customer_asset(s, "Acme").await;
        let input = ScrapeTargetInput {
            host_id: web.id.clone(),
            url: "http://web:9100/metrics".into(),
            labels: Some([("job".to_string(), "node".to_string())].into()),
            auth_kind: Some("basic".into()),
            auth_user: Some("prom".into()),
            ..Default::default()
        };
        assert!(
            matches!(
                s.create_scrape_target(&staff(), input.clone(), None).await,
                Err(StoreError::Invalid(_))
            ),
            "basic auth without a secret"
        );
        let t = s
            .create_scrape_target(&staff(), input, Some("SEALED-1".into()))
            .await
            .unwrap();
        assert!(t.has_secret);
        assert_eq!(
            s.get_host(&staff(), &web.id, 60_000).await.unwrap().source,
            "scrape"
        );
        let jobs = s.scrape_jobs().await.unwrap();
        assert_eq!(jobs[0].sealed_secret.as_deref(), Some("SEALED-1"));
        let patch = ScrapeTargetInput {
            interval_secs: Some(15),
            ..Default::default()
        };
        let u = s
            .update_scrape_target(&staff(), &t.id, patch, None)
            .await
            .unwrap();
        assert_eq!(
            (u.interval_secs, u.has_secret, u.url.as_str()),
            (15, true, "http://web:9100/metrics")
        );
        let none = ScrapeTargetInput {
            auth_kind: Some("none".into()),
            ..Default::default()
        };
        let u = s
            .update_scrape_target(&staff(), &t.id, none, None)
            .await
            .unwrap();
        assert!(!u.has_secret && u.auth_user.is_none());
        assert_eq!(s.scrape_jobs().await.unwrap()[0].sealed_secret, None);
        assert_eq!(
            s.list_scrape_targets(&user_of(&acme.id), Some(&web.id))
                .await
                .unwrap()
                .len(),
            1
        );
        let bad = ScrapeTargetInput {
            host_id: web.id.clone(),
            url: "http://web/m".into(),
            labels: Some([("__name__".to_string(), "x".to_string())].into()),
            ..Default::default()
        };
        assert!(matches!(
            s.create_scrape_target(&staff(), bad, None).await,
            Err(StoreError::Invalid(_))
        ));
        let st = ProbeState {
            run_at: 5,
            ok: true,
            message: "12 samples".into(),
            duration_ms: 4,
            method: None,
        };
        s.record_scrape_result(&t.id, &st, 12).await.unwrap();
        let got = s.get_scrape_target(&staff(), &t.id).await.unwrap();
        assert_eq!((got.last, got.last_samples), (Some(st), Some(12)));
        s.delete_scrape_target(&staff(), &t.id).await.unwrap();
        let audit = s
            .audit_list(
                &staff(),
                &AuditFilter {
                    entity: Some("scrape_target".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(audit.len(), 4);
        assert!(
            audit.iter().all(|e| !format!("{e:?}").contains("SEALED")),
            "no secret in the audit"
        );
    }
);
