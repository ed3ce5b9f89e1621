//! The built admin app at `/` beside the API: its files, the fallback to its page for deep
//! links, caching and security headers, and backend paths that stay JSON.

use actix_web::test::TestRequest;
use switchboard_domain::users::model::Role;

use crate::common::{TestApp, get, login, send};

const PAGE: &str = "<!doctype html><title>Switchboard</title><script type=module src=/assets/index-3f2a.js></script>";

/// A built app in a temporary directory, as `npm run build` leaves it.
fn built_app() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), PAGE).unwrap();
    std::fs::create_dir(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("assets/index-3f2a.js"), "console.log(1)").unwrap();
    std::fs::write(dir.path().join("favicon.svg"), "<svg/>").unwrap();
    std::fs::write(dir.path().join(".env"), "SECRET=1").unwrap();
    dir
}

fn with_app(t: &TestApp, dir: &tempfile::TempDir) -> switchboard_http::AppState {
    let mut state = t.state.clone();
    state.admin_dir = Some(dir.path().to_path_buf());
    state
}

fn header<'a>(reply: &'a crate::common::Reply, name: &str) -> &'a str {
    reply.headers.get(name).map_or("", |v| v.to_str().unwrap())
}

#[actix_web::test]
async fn the_app_is_served_at_the_root_with_a_strict_content_security_policy() {
    let t = TestApp::new();
    let dir = built_app();
    let app = actix_web::test::init_service(switchboard_http::app(with_app(&t, &dir))).await;
    let page = send(&app, TestRequest::get().uri("/")).await;
    assert_eq!(page.status.as_u16(), 200);
    assert_eq!(page.body, PAGE);
    assert!(header(&page, "content-type").starts_with("text/html"));
    assert_eq!(header(&page, "cache-control"), "no-cache");
    let csp = header(&page, "content-security-policy");
    assert!(
        csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
}

#[actix_web::test]
async fn page_paths_fall_back_to_the_app_so_deep_links_and_reloads_work() {
    let t = TestApp::new();
    let dir = built_app();
    let app = actix_web::test::init_service(switchboard_http::app(with_app(&t, &dir))).await;
    for path in ["/inbox", "/conversations/42", "/admin/users?role=agent"] {
        let page = send(&app, TestRequest::get().uri(path)).await;
        assert_eq!(page.status.as_u16(), 200, "{path}");
        assert_eq!(page.body, PAGE, "{path}");
    }
}

#[actix_web::test]
async fn hashed_bundles_are_cached_for_good_and_other_files_revalidated() {
    let t = TestApp::new();
    let dir = built_app();
    let app = actix_web::test::init_service(switchboard_http::app(with_app(&t, &dir))).await;
    let bundle = send(&app, TestRequest::get().uri("/assets/index-3f2a.js")).await;
    assert_eq!(bundle.status.as_u16(), 200);
    assert!(header(&bundle, "content-type").contains("javascript"));
    assert_eq!(
        header(&bundle, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(header(&bundle, "x-content-type-options"), "nosniff");
    let icon = send(&app, TestRequest::get().uri("/favicon.svg")).await;
    assert_eq!(icon.status.as_u16(), 200);
    assert_eq!(header(&icon, "cache-control"), "no-cache");
}

#[actix_web::test]
async fn a_missing_file_or_a_hidden_one_is_a_json_404_not_the_app() {
    let t = TestApp::new();
    let dir = built_app();
    let app = actix_web::test::init_service(switchboard_http::app(with_app(&t, &dir))).await;
    for path in ["/assets/gone-1234.js", "/.env", "/assets/../.env"] {
        let reply = send(&app, TestRequest::get().uri(path)).await;
        assert_eq!(reply.error(404), "not_found", "{path}");
    }
}

#[actix_web::test]
async fn backend_paths_keep_their_json_errors_when_the_app_is_built() {
    let t = TestApp::new();
    let dir = built_app();
    let app = actix_web::test::init_service(switchboard_http::app(with_app(&t, &dir))).await;
    let unknown = send(&app, TestRequest::get().uri("/api/v1/nothing-here")).await;
    assert_eq!(unknown.error(404), "not_found");
    let wrong_method = send(&app, TestRequest::delete().uri("/api/v1/users")).await;
    assert_eq!(wrong_method.error(405), "method_not_allowed");
    let post_to_a_page = send(&app, TestRequest::post().uri("/inbox")).await;
    assert_eq!(post_to_a_page.error(404), "not_found");
    let webhook_typo = send(&app, TestRequest::get().uri("/webhooks/whatsap")).await;
    assert_eq!(webhook_typo.error(404), "not_found");
}

#[actix_web::test]
async fn without_a_built_app_the_root_is_a_json_404() {
    let t = TestApp::new();
    let app = t.service().await;
    let reply = send(&app, TestRequest::get().uri("/")).await;
    assert_eq!(reply.error(404), "not_found");
}

#[actix_web::test]
async fn about_tells_the_signed_in_app_the_version_and_provider() {
    let t = TestApp::new();
    t.user("ana", Role::Viewer).await;
    let app = t.service().await;
    let (token, _) = login(&app, "ana").await;
    let about = send(&app, get("/api/v1/about", &token)).await;
    assert_eq!(about.status.as_u16(), 200, "{}", about.body);
    assert_eq!(about.body["version"], env!("CARGO_PKG_VERSION"));
    // The test wiring has no customer simulator, as with the cloud provider.
    assert_eq!(about.body["whatsapp_provider"], "cloud");
    assert_eq!(about.body["simulator"], false);
    let anonymous = send(&app, TestRequest::get().uri("/api/v1/about")).await;
    assert_eq!(anonymous.error(401), "missing_token");
}
