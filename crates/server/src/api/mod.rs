//! The JSON API under `/api/v1`, one module per resource; the OpenAPI document is generated
//! from the handlers' annotations.
mod alerting;
mod assets;
mod audit;
mod calendar;
mod catalog;
mod contacts;
mod contracts;
mod customers;
mod desk;
mod logs;
mod mail;
mod monitoring;
mod oncall;
mod patches;
mod people;
pub(crate) mod probes;
mod runbooks;
mod snmp_devices;
pub(crate) mod ticket_work;
mod tickets;
pub(crate) mod webhooks;
mod work_orders;

pub(crate) use calendar::base_url as feed_base_url;
pub(crate) use patches::period_bounds as patches_period_bounds;
pub(crate) use snmp_devices::{recent_traps as snmp_recent_traps, seal as snmp_seal};

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(title = "onestop API", description = "Operations support platform: service desk, asset register, monitoring, logs and patches."),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    let v1 = OpenApiRouter::new()
        .merge(customers::routes())
        .merge(assets::routes())
        .merge(people::routes())
        .merge(audit::routes())
        .merge(contracts::routes())
        .merge(tickets::routes())
        .merge(contacts::routes())
        .merge(desk::routes())
        .merge(ticket_work::routes())
        .merge(catalog::routes())
        .merge(monitoring::routes())
        .merge(patches::routes())
        .merge(logs::routes())
        .merge(work_orders::routes())
        .merge(runbooks::routes())
        .merge(calendar::routes())
        .merge(mail::routes())
        .merge(webhooks::routes())
        .merge(oncall::routes());
    let v1 = v1.merge(probes::routes());
    let v1 = v1.merge(snmp_devices::routes());
    let v1 = v1.merge(alerting::routes());
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api/v1", v1)
}

/// A JSON body whose rejections are JSON errors: 400 for malformed JSON, 422 for a body of the
/// wrong shape, 415 for another content type.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection::*;
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Body(v)),
            Err(JsonDataError(e)) => Err(ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                e.body_text(),
            )),
            Err(JsonSyntaxError(e)) => Err(ApiError::bad_request(e.body_text())),
            Err(MissingJsonContentType(e)) => Err(ApiError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "content_type",
                e.body_text(),
            )),
            Err(e) => Err(ApiError::bad_request(e.body_text())),
        }
    }
}

/// Query parameters whose rejections are JSON errors (400).
pub struct Q<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S> for Q<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Q(v)),
            Err(e) => Err(ApiError::bad_request(e.body_text())),
        }
    }
}
