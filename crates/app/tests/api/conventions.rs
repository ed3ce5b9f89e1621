//! The HTTP conventions: one JSON error shape for every failure, request ids, probes, docs.

use actix_web::test::TestRequest;
use serde_json::json;

use crate::common::{TestApp, send};

#[actix_web::test]
async fn an_unknown_route_is_a_json_404() {
    let t = TestApp::new();
    let app = t.service().await;
    let reply = send(&app, TestRequest::get().uri("/api/v1/nothing-here")).await;
    assert_eq!(reply.error(404), "not_found");
    let reply = send(&app, TestRequest::get().uri("/favicon.ico")).await;
    assert_eq!(reply.error(404), "not_found");
}

#[actix_web::test]
async fn a_wrong_method_is_a_json_405_listing_the_allowed_ones() {
    let t = TestApp::new();
    let app = t.service().await;
    let reply = send(&app, TestRequest::delete().uri("/api/v1/auth/login")).await;
    assert_eq!(reply.error(405), "method_not_allowed");
    assert_eq!(reply.headers.get("allow").unwrap(), "POST");
    let reply = send(&app, TestRequest::post().uri("/api/v1/users/7")).await;
    assert_eq!(reply.error(405), "method_not_allowed");
    assert_eq!(reply.headers.get("allow").unwrap(), "GET, PATCH");
}

#[actix_web::test]
async fn malformed_json_is_a_400_invalid_json() {
    let t = TestApp::new();
    let app = t.service().await;
    let reply = send(
        &app,
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .insert_header(("content-type", "application/json"))
            .set_payload(r#"{"username": "admin", "password": "#),
    )
    .await;
    assert_eq!(reply.error(400), "invalid_json");
}

#[actix_web::test]
async fn a_body_that_is_not_json_is_a_415() {
    let t = TestApp::new();
    let app = t.service().await;
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut req = TestRequest::post()
            .uri("/api/v1/auth/login")
            .set_payload("username=admin&password=admin");
        if let Some(content_type) = content_type {
            req = req.insert_header(("content-type", content_type));
        }
        let reply = send(&app, req).await;
        assert_eq!(
            reply.error(415),
            "unsupported_media_type",
            "{content_type:?}"
        );
    }
}

#[actix_web::test]
async fn a_body_over_the_limit_is_a_413() {
    let t = TestApp::new();
    let app = t.service().await;
    let huge = "x".repeat(switchboard_http::JSON_BODY_LIMIT + 1);
    let reply = send(
        &app,
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .set_json(json!({"username": huge, "password": "p"})),
    )
    .await;
    assert_eq!(reply.error(413), "payload_too_large");
}

#[actix_web::test]
async fn a_missing_or_unknown_field_is_a_422_naming_it() {
    let t = TestApp::new();
    let app = t.service().await;
    let reply = send(
        &app,
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .set_json(json!({"username": "admin"})),
    )
    .await;
    assert_eq!(reply.error(422), "validation_failed");
    assert_eq!(reply.body["error"]["details"][0]["field"], "password");

    let reply = send(
        &app,
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .set_json(json!({"username": "admin", "password": "x", "pasword": "y"})),
    )
    .await;
    assert_eq!(reply.error(422), "validation_failed");
    assert_eq!(reply.body["error"]["details"][0]["field"], "pasword");

    let reply = send(
        &app,
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .set_json(json!({"username": 5, "password": "x"})),
    )
    .await;
    assert_eq!(reply.error(422), "validation_failed");
}

#[actix_web::test]
async fn a_path_id_that_is_not_a_number_is_a_404() {
    let t = TestApp::new();
    t.user("root", switchboard_domain::users::model::Role::Admin)
        .await;
    let app = t.service().await;
    let (token, _) = crate::common::login(&app, "root").await;
    let reply = send(&app, crate::common::get("/api/v1/users/abc", &token)).await;
    assert_eq!(reply.error(404), "not_found");
}

#[actix_web::test]
async fn every_response_carries_a_request_id() {
    let t = TestApp::new();
    let app = t.service().await;
    let ok = send(&app, TestRequest::get().uri("/healthz")).await;
    let generated = ok
        .headers
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");

    let error = send(&app, TestRequest::get().uri("/nope")).await;
    assert!(error.headers.contains_key("x-request-id"));
    assert_ne!(
        error.headers.get("x-request-id").unwrap().to_str().unwrap(),
        generated
    );

    let echoed = send(
        &app,
        TestRequest::get()
            .uri("/healthz")
            .insert_header(("x-request-id", "trace-abc.123")),
    )
    .await;
    assert_eq!(echoed.headers.get("x-request-id").unwrap(), "trace-abc.123");

    let replaced = send(
        &app,
        TestRequest::get()
            .uri("/healthz")
            .insert_header(("x-request-id", "bad id with spaces")),
    )
    .await;
    assert_ne!(
        replaced.headers.get("x-request-id").unwrap(),
        "bad id with spaces"
    );
}

#[actix_web::test]
async fn liveness_and_readiness_probes_answer_ok() {
    let t = TestApp::new();
    let app = t.service().await;
    for path in ["/healthz", "/readyz"] {
        let reply = send(&app, TestRequest::get().uri(path)).await;
        assert_eq!(reply.status.as_u16(), 200, "{path}");
        assert_eq!(reply.body, json!({"status": "ok"}));
    }
}

#[actix_web::test]
async fn swagger_ui_and_the_spec_are_served_without_the_internet() {
    let t = TestApp::new();
    let app = t.service().await;
    let redirect = send(&app, TestRequest::get().uri("/docs")).await;
    assert!(redirect.status.is_redirection());
    assert_eq!(redirect.headers.get("location").unwrap(), "/docs/");

    let page = send(&app, TestRequest::get().uri("/docs/")).await;
    assert_eq!(page.status.as_u16(), 200);
    let html = page.body.as_str().unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("https://"),
        "Swagger UI must load nothing from outside"
    );

    for asset in [
        "/docs/swagger-ui-bundle.js",
        "/docs/swagger-ui.css",
        "/docs/swagger-initializer.js",
    ] {
        let reply = send(&app, TestRequest::get().uri(asset)).await;
        assert_eq!(reply.status.as_u16(), 200, "{asset}");
    }

    let spec = send(&app, TestRequest::get().uri("/openapi.json")).await;
    assert_eq!(spec.status.as_u16(), 200);
    assert_eq!(
        spec.body,
        serde_json::to_value(switchboard_http::api_doc()).unwrap()
    );
}
