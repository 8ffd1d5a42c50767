//! SNMP devices on every backend: validation, sealed secrets never shown, tenant scoping,
//! staff-only changes, audit entries, the poller's due list and outcomes, trap senders.
use crate::on_both;
use crate::support::{Fresh, staff};
use onestop_store::*;

fn customer_user(customer_id: &str) -> Scope {
    Scope::Customer {
        user_id: "u-c".into(),
        username: "carol".into(),
        customer_id: customer_id.into(),
    }
}

/// The test's stand-in for the server's cipher: the store only ever stores what it is given.
fn seal(i: SnmpDeviceInput) -> SealedSnmpInput {
    i.seal(|clear| format!("sealed({})", clear.len())).unwrap()
}

async fn asset(s: &Store, customer: &str, name: &str, ips: &str) -> Asset {
    let i = AssetInput {
        name: Some(name.into()),
        kind: Some("network_device".into()),
        ip_addresses: Some(ips.into()),
        ..Default::default()
    };
    s.create_asset(&staff(), customer, i).await.unwrap()
}

on_both!(
    snmp_devices_are_scoped_sealed_audited_and_scheduled,
    |f: Fresh| async move {
        let s = &f.store;
        let new = |name: &str| CustomerInput {
            name: Some(name.into()),
            ..Default::default()
        };
        let acme = s.create_customer(&staff(), new("Acme")).await.unwrap();
        let globex = s.create_customer(&staff(), new("Globex")).await.unwrap();
        let sw = asset(s, &acme.id, "sw1", "10.0.0.1, 10.0.0.9").await;
        let other = asset(s, &globex.id, "gw", "10.9.9.9").await;
        let v2c = |asset_id: &str| SnmpDeviceInput {
            asset_id: Some(asset_id.into()),
            address: Some("10.0.0.1".into()),
            version: Some("v2c".into()),
            community: Some("public-ro".into()),
            ..Default::default()
        };
        // Secrets are checked in clear before sealing.
        let short = SnmpDeviceInput {
            auth_password: Some("short".into()),
            ..v2c(&sw.id)
        };
        assert!(short.seal(|c| c.into()).is_err());
        // Invalid settings and customers' users are refused; nothing is stored.
        let no_community = SnmpDeviceInput {
            community: None,
            ..v2c(&sw.id)
        };
        assert!(matches!(
            s.create_snmp_device(&staff(), seal(no_community)).await,
            Err(StoreError::Invalid(_))
        ));
        let bad_port = SnmpDeviceInput {
            port: Some(70_000),
            ..v2c(&sw.id)
        };
        assert!(matches!(
            s.create_snmp_device(&staff(), seal(bad_port)).await,
            Err(StoreError::Invalid(_))
        ));
        let v3_no_user = SnmpDeviceInput {
            version: Some("v3".into()),
            ..v2c(&sw.id)
        };
        assert!(matches!(
            s.create_snmp_device(&staff(), seal(v3_no_user)).await,
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            s.create_snmp_device(&customer_user(&acme.id), seal(v2c(&sw.id)))
                .await,
            Err(StoreError::Forbidden(_))
        ));
        assert!(s.list_snmp_devices(&staff()).await.unwrap().is_empty());

        let d = s
            .create_snmp_device(&staff(), seal(v2c(&sw.id)))
            .await
            .unwrap();
        assert_eq!(
            (d.id.as_str(), d.status.as_str(), d.has_community),
            (sw.id.as_str(), "pending", true)
        );
        assert_eq!(
            s.get_host(&staff(), &sw.id, 60_000).await.unwrap().source,
            "snmp"
        );
        assert!(matches!(
            s.create_snmp_device(&staff(), seal(v2c(&sw.id))).await,
            Err(StoreError::Conflict(_))
        ));
        let g = s
            .create_snmp_device(
                &staff(),
                seal(SnmpDeviceInput {
                    address: Some("10.9.9.9".into()),
                    ..v2c(&other.id)
                }),
            )
            .await
            .unwrap();

        // A customer's user sees its own device only, and cannot change it.
        let carol = customer_user(&acme.id);
        let mine = s.list_snmp_devices(&carol).await.unwrap();
        assert_eq!(
            mine.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
            vec![sw.id.as_str()]
        );
        assert!(matches!(
            s.snmp_device(&carol, &g.id).await,
            Err(StoreError::NotFound)
        ));
        let up = || SnmpDeviceInput {
            interval_secs: Some(30),
            ..Default::default()
        };
        assert!(matches!(
            s.update_snmp_device(&carol, &d.id, seal(up())).await,
            Err(StoreError::Forbidden(_))
        ));

        // A change to v3 keeps the community, needs the user and passphrases.
        let to_v3 = SnmpDeviceInput {
            version: Some("v3".into()),
            v3_user: Some("ops".into()),
            auth_protocol: Some("sha256".into()),
            ..Default::default()
        };
        assert!(matches!(
            s.update_snmp_device(&staff(), &d.id, seal(to_v3.clone()))
                .await,
            Err(StoreError::Invalid(_))
        ));
        let to_v3 = SnmpDeviceInput {
            auth_password: Some("auth-pass-1".into()),
            priv_protocol: Some("aes".into()),
            priv_password: Some("priv-pass-1".into()),
            ..to_v3
        };
        let d3 = s
            .update_snmp_device(&staff(), &d.id, seal(to_v3))
            .await
            .unwrap();
        assert_eq!(
            (
                d3.version.as_str(),
                d3.v3_user.as_deref(),
                d3.priv_protocol.as_deref()
            ),
            ("v3", Some("ops"), Some("aes"))
        );
        assert!(d3.has_auth_password && d3.has_priv_password && d3.has_community);
        let audit = s
            .audit_list(
                &staff(),
                &AuditFilter {
                    entity: Some("snmp_device".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let actions: Vec<_> = audit.iter().map(|a| a.action.as_str()).collect();
        assert!(
            actions.contains(&"snmp_device.create") && actions.contains(&"snmp_device.update"),
            "{actions:?}"
        );
        assert!(
            audit
                .iter()
                .all(|a| !format!("{:?}", a).contains("sealed(")),
            "no secret in the audit log"
        );

        // The poller: due devices once per interval, secrets handed over sealed.
        let now = now_ms();
        let due = s.due_snmp_devices(now, 100).await.unwrap();
        assert_eq!(due.len(), 2);
        let t = due.iter().find(|t| t.id == d.id).unwrap();
        assert_eq!((t.auth_enc.as_deref(), t.port), (Some("sealed(11)"), 161));
        assert!(
            s.due_snmp_devices(now + 1_000, 100)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            s.due_snmp_devices(now + 60_000, 100).await.unwrap().len(),
            2
        );
        let failed = SnmpPollOutcome {
            error: Some("no answer (timeout)".into()),
            ..Default::default()
        };
        s.record_snmp_poll(&d.id, now, &failed).await.unwrap();
        assert_eq!(
            s.snmp_device(&staff(), &d.id).await.unwrap().status,
            "error"
        );
        let ok = SnmpPollOutcome {
            sys_name: Some("sw1".into()),
            sys_uptime_secs: Some(42),
            ..Default::default()
        };
        s.record_snmp_poll(&d.id, now + 1, &ok).await.unwrap();
        let d = s.snmp_device(&staff(), &d.id).await.unwrap();
        assert_eq!(
            (d.status.as_str(), d.sys_name.as_deref(), d.last_ok_at),
            ("ok", Some("sw1"), Some(now + 1))
        );

        // Trap senders: a device's address, else an asset listing it; unknown → none.
        let src = s.snmp_trap_source("10.0.0.1").await.unwrap();
        assert_eq!(src, Some((acme.id.clone(), sw.id.clone())));
        assert_eq!(
            s.snmp_trap_source("10.0.0.9").await.unwrap(),
            Some((acme.id.clone(), sw.id.clone()))
        );
        assert_eq!(s.snmp_trap_source("10.0.0.").await.unwrap(), None);
        assert_eq!(s.snmp_trap_source("192.0.2.7").await.unwrap(), None);

        s.delete_snmp_device(&staff(), &g.id).await.unwrap();
        assert!(matches!(
            s.snmp_device(&staff(), &g.id).await,
            Err(StoreError::NotFound)
        ));
    }
);
