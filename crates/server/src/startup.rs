//! Start-up you can call from a test: open the store, create the first administrator, and
//! serve on a given listener until a shutdown future resolves.
use crate::{AppState, Crypto, Settings, api, auth::Throttle, ops, ui};
use anyhow::Context;
use axum::Router;
use axum::routing::get;
use onestop_domain::model::Role;
use onestop_store::{NewUser, Scope, Store, StoreError, auth};
use std::future::Future;
use std::sync::Arc;

/// Open (create and migrate) the configured database; the data dir is created too.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("cannot create data dir {}", settings.data_dir.display()))?;
    Store::open(&settings.database_url())
        .await
        .context("opening the database")
}

/// On first start with no users, create `admin` with a one-time password, written to
/// `<data_dir>/initial-admin-password` (0600). Returns the password when one was made.
pub async fn bootstrap(store: &Store, settings: &Settings) -> anyhow::Result<Option<String>> {
    if store.user_count().await? > 0 {
        return Ok(None);
    }
    let password = auth::random_password();
    let admin = NewUser {
        username: "admin".into(),
        display_name: Some("Administrator".into()),
        email: None,
        role: Role::Admin,
        customer_id: None,
        password: Some(password.clone()),
        language: None,
    };
    match store.create_user(&Scope::System, admin).await {
        Ok(_) => {}
        // Another process sharing the database created it first.
        Err(StoreError::Conflict(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    crate::crypto::write_private(
        &settings.data_dir.join("initial-admin-password"),
        &format!("{password}\n"),
    )?;
    Ok(Some(password))
}

/// The whole application router.
pub fn app(state: AppState) -> Router {
    let (api_router, openapi) = api::router().split_for_parts();
    let openapi_json = Arc::new(openapi.to_pretty_json().unwrap_or_default());
    Router::new()
        .merge(api_router)
        .merge(ui::router())
        .route(
            "/api/openapi.json",
            get(move || async move {
                (
                    [("content-type", "application/json")],
                    (*openapi_json).clone(),
                )
            }),
        )
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .fallback(|| async {
            crate::error::ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                "not_found",
                "no such route",
            )
        })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::track,
        ))
        .layer(axum::middleware::from_fn(crate::mail::wake_after_writes))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            32 * 1024 * 1024,
        ))
        .with_state(state)
}

/// Serve on `listener` until `shutdown` resolves, then finish in-flight requests.
pub async fn launch(
    settings: Settings,
    store: Store,
    listener: std::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let crypto = Crypto::load(settings.secret_key.as_deref(), &settings.data_dir)?;
    let tls = settings.tls_cert.is_some() && settings.tls_key.is_some();
    let ingest = crate::monitor::ingest::Ingestor::start(store.clone());
    let state = AppState {
        store,
        crypto: Arc::new(crypto),
        throttle: Arc::new(Throttle::new(settings.login_max_failures)),
        metrics: Arc::default(),
        tls,
        ingest,
        settings: Arc::new(settings.clone()),
        syslog: Arc::default(),
    };
    // One stop signal for the HTTP server and the syslog pipeline.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let mut syslog = crate::syslog::start(
        &settings,
        state.store.clone(),
        state.syslog.clone(),
        stop_rx.clone(),
    )
    .await?;
    let shutdown = async move {
        let mut rx = stop_rx;
        let _ = rx.wait_for(|v| *v).await;
    };
    // Planner statistics follow the data as it grows.
    let store = state.store.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        tick.tick().await;
        loop {
            tick.tick().await;
            if let Err(e) = store.optimize().await {
                tracing::warn!(error = %e, "optimize failed");
            }
        }
    });
    // The desk scheduler: every process runs it; a lease in the database lets one act at a
    // time, and each action is recorded once, so several servers never double one.
    let store = state.store.clone();
    let every = std::time::Duration::from_secs(settings.desk_tick_secs.clamp(1, 3600) as u64);
    let holder = onestop_store::new_id();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match store.desk_tick(&holder, onestop_store::now_ms()).await {
                Ok(r) if r.warnings + r.breaches + r.escalations + r.closed > 0 => {
                    tracing::info!(
                        warnings = r.warnings,
                        breaches = r.breaches,
                        escalations = r.escalations,
                        closed = r.closed,
                        "desk scheduler"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "desk scheduler pass failed"),
            }
        }
    });
    crate::mail::start(&state.store, &settings).await?;
    crate::monitor::spawn_jobs(state.store.clone(), &settings);
    crate::probes::spawn(state.store.clone(), state.crypto.clone(), &settings);
    crate::snmp::start(&settings, state.store.clone(), state.crypto.clone()).await?;
    crate::patch_jobs::spawn(state.store.clone(), settings.clone());
    crate::plan_jobs::spawn(state.store.clone(), every);
    crate::hooks::spawn(
        state.store.clone(),
        state.crypto.clone(),
        std::time::Duration::from_millis(settings.webhook_poll_ms.clamp(10, 60_000) as u64),
        settings.webhook_retry_ms.clamp(10, 86_400_000),
    );
    let app = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    listener.set_nonblocking(true)?;
    if let (Some(cert), Some(key)) = (&settings.tls_cert, &settings.tls_key) {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
            .await
            .with_context(|| {
                format!(
                    "loading TLS certificate {} and key {}",
                    cert.display(),
                    key.display()
                )
            })?;
        let handle = axum_server::Handle::new();
        let h = handle.clone();
        tokio::spawn(async move {
            shutdown.await;
            h.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
        });
        axum_server::from_tcp_rustls(listener, config)
            .handle(handle)
            .serve(app)
            .await?;
    } else {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await?;
    }
    // Everything the syslog listeners read is stored before we return.
    while syslog.join_next().await.is_some() {}
    Ok(())
}
