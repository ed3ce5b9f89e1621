//! Signing in, lock-out, token refresh and rotation, logout, password changes, and how account
//! changes take effect at once.

use actix_web::test::TestRequest;
use reqwest::Method;
use serde_json::json;
use switchboard_http::ErrorCode;
use switchboard_http::dto::{RoleDto, TokenResponse};

use crate::common::{PASSWORD, TestApp};
use crate::harness::{ApiRequest, Reply, Transport};

#[actix_web::test]
async fn login_returns_a_bearer_token_pair_and_the_user() {
    let app = TestApp::builder().with_agent("ana").build().await;
    let reply = app.sign_in("ana", PASSWORD).await;
    let tokens = reply.expect(200);
    assert_eq!(tokens.token_type, "Bearer");
    assert!(
        (890..=900).contains(&tokens.expires_in),
        "15 minutes: {}",
        tokens.expires_in
    );
    assert!(tokens.refresh_token.len() >= 43);
    assert_eq!(tokens.user.username, "ana");
    assert_eq!(tokens.user.role, RoleDto::Agent);
    assert_eq!(reply.header("cache-control"), "no-store");

    let me = app.with_token(&tokens.access_token).me().await.expect(200);
    assert_eq!(me.username, "ana");
}

#[actix_web::test]
async fn usernames_match_case_insensitively_at_login() {
    let app = TestApp::builder().with_agent("Ana.Lima").build().await;
    app.sign_in("ana.lima", PASSWORD).await.expect(200);
    app.sign_in("ANA.LIMA", PASSWORD).await.expect(200);
}

#[actix_web::test]
async fn an_unknown_user_and_a_wrong_password_get_the_same_401() {
    let app = TestApp::builder().with_agent("ana").build().await;
    let wrong_password = app.sign_in("ana", "not the password").await;
    let unknown_user = app.sign_in("nobody", PASSWORD).await;
    assert_eq!(
        wrong_password.error_code(401),
        ErrorCode::InvalidCredentials
    );
    assert_eq!(unknown_user.error_code(401), ErrorCode::InvalidCredentials);
    assert_eq!(wrong_password.raw(), unknown_user.raw());
    // A name no account can have, with a NUL PostgreSQL cannot store, is still just unknown.
    let with_nul = app.sign_in("no\u{0}body", PASSWORD).await;
    assert_eq!(with_nul.raw(), unknown_user.raw());
}

#[actix_web::test]
async fn five_failures_lock_the_username_with_retry_after() {
    let app = TestApp::builder()
        .with_agent("ana")
        .with_agent("bob")
        .build()
        .await;
    for _ in 0..5 {
        assert_eq!(
            app.sign_in("ana", "wrong").await.error_code(401),
            ErrorCode::InvalidCredentials
        );
    }
    // Even the right password is refused while locked.
    let locked = app.sign_in("ANA", PASSWORD).await;
    assert_eq!(locked.error_code(429), ErrorCode::TooManyLoginAttempts);
    let retry_after: u64 = locked.header("retry-after").parse().unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    // Other usernames are unaffected.
    app.sign_in("bob", PASSWORD).await.expect(200);
}

#[actix_web::test]
async fn a_hundred_wrong_guesses_at_once_check_no_more_than_five_passwords() {
    let app = TestApp::builder().with_agent("ana").build().await;
    let guesses = (0..100).map(|i| app.sign_in("ana", if i == 50 { PASSWORD } else { "wrong" }));
    let replies = futures_util::future::join_all(guesses).await;
    let checked = replies.iter().filter(|r| r.status.as_u16() != 429).count();
    assert!(checked <= 5, "{checked} passwords were checked");
    assert!(checked >= 1, "some attempt went ahead");
    for reply in replies.iter().filter(|r| r.status.as_u16() == 429) {
        assert_eq!(reply.code(), Some(ErrorCode::TooManyLoginAttempts));
    }
    // The right password was checked only if it was among the five.
    let signed_in = replies.iter().filter(|r| r.status.as_u16() == 200).count();
    assert!(signed_in <= 1);
    if signed_in == 0 {
        assert_eq!(
            app.sign_in("ana", PASSWORD).await.error_code(429),
            ErrorCode::TooManyLoginAttempts,
            "a right password inside a spent budget is refused"
        );
    }
}

#[actix_web::test]
async fn one_address_trying_many_usernames_is_limited_whatever_the_forwarding_headers_say() {
    let app = TestApp::builder().with_agent("ana").build().await;
    // The peer address is set by hand: the typed helpers do not choose one.
    let attempt = |username: String, peer: &str, forwarded_for: &str| {
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .peer_addr(peer.parse().unwrap())
            // Not a trusted proxy (none is configured), so this header is not believed.
            .insert_header(("x-forwarded-for", forwarded_for.to_owned()))
            .set_json(json!({"username": username, "password": "leaked"}))
    };
    // The test wiring allows 20 attempts per address and minute.
    for n in 0..20 {
        let reply = app
            .send(attempt(
                format!("user{n}"),
                "203.0.113.7:4000",
                &format!("10.9.0.{n}"),
            ))
            .await;
        assert_eq!(reply.error_code(401), ErrorCode::InvalidCredentials);
    }
    let refused = app
        .send(attempt("ana".into(), "203.0.113.7:4001", "10.9.9.9"))
        .await;
    assert_eq!(refused.error_code(429), ErrorCode::TooManySignInAttempts);
    assert!(refused.headers.contains_key("retry-after"));
    // Another address still signs in.
    let other = TestRequest::post()
        .uri("/api/v1/auth/login")
        .peer_addr("198.51.100.1:4000".parse().unwrap())
        .set_json(json!({"username": "ana", "password": PASSWORD}));
    app.send(other).await.expect(200);
}

#[actix_web::test]
async fn four_failures_then_a_success_reset_the_count() {
    let app = TestApp::builder().with_agent("ana").build().await;
    for _ in 0..4 {
        app.sign_in("ana", "wrong").await;
    }
    app.sign_in("ana", PASSWORD).await.expect(200);
    for _ in 0..4 {
        assert_eq!(app.sign_in("ana", "wrong").await.status.as_u16(), 401);
    }
    app.sign_in("ana", PASSWORD).await.expect(200);
}

#[actix_web::test]
async fn unknown_usernames_are_locked_out_too() {
    let app = TestApp::builder().build().await;
    for _ in 0..5 {
        assert_eq!(app.sign_in("ghost", "x").await.status.as_u16(), 401);
    }
    assert_eq!(
        app.sign_in("ghost", "x").await.error_code(429),
        ErrorCode::TooManyLoginAttempts
    );
}

#[actix_web::test]
async fn a_deactivated_user_cannot_log_in() {
    let app = TestApp::builder()
        .with_admin()
        .with_agent("ana")
        .build()
        .await;
    app.as_(app.admin())
        .update_user(app.user("ana").id, &json!({"active": false}))
        .await
        .expect(200);
    assert_eq!(
        app.sign_in("ana", PASSWORD).await.error_code(403),
        ErrorCode::AccountDeactivated
    );
    // A wrong password still says nothing about the account.
    assert_eq!(
        app.sign_in("ana", "wrong").await.error_code(401),
        ErrorCode::InvalidCredentials
    );
}

#[actix_web::test]
async fn refresh_rotates_and_reusing_a_spent_token_revokes_the_session() {
    let app = TestApp::builder().with_agent("ana").build().await;
    let ana = app.user("ana");
    let (access, first) = (&ana.token, &ana.refresh_token);

    let rotated = app.refresh(first).await.expect(200);
    let (second, new_access) = (&rotated.refresh_token, &rotated.access_token);
    assert_ne!(second, first);
    app.with_token(new_access).me().await.expect(200);

    let reused = app.refresh(first).await;
    assert_eq!(reused.error_code(401), ErrorCode::RefreshTokenReused);
    // The whole family is gone: the successor token and every access token of the session.
    assert_eq!(
        app.refresh(second).await.error_code(401),
        ErrorCode::InvalidRefreshToken
    );
    assert_eq!(
        app.with_token(new_access).me().await.error_code(401),
        ErrorCode::InvalidToken
    );
    assert_eq!(
        app.with_token(access).me().await.error_code(401),
        ErrorCode::InvalidToken
    );

    // Other sessions of the same user live on.
    let other = app.sign_in_ok("ana").await;
    app.with_token(&other.access_token).me().await.expect(200);
}

#[actix_web::test]
async fn an_unknown_refresh_token_is_a_401() {
    let app = TestApp::builder().build().await;
    assert_eq!(
        app.refresh("made-up").await.error_code(401),
        ErrorCode::InvalidRefreshToken
    );
}

#[actix_web::test]
async fn logout_ends_the_session_and_always_answers_204() {
    let app = TestApp::builder().with_agent("ana").build().await;
    let ana = app.user("ana");
    let (access, refresh) = (&ana.token, &ana.refresh_token);
    app.logout(refresh).await.expect(204);
    assert_eq!(
        app.refresh(refresh).await.error_code(401),
        ErrorCode::InvalidRefreshToken
    );
    assert_eq!(
        app.with_token(access).me().await.error_code(401),
        ErrorCode::InvalidToken
    );
    app.logout(refresh).await.expect(204);
    app.logout("never-issued").await.expect(204);
}

#[actix_web::test]
async fn protected_endpoints_refuse_missing_and_forged_tokens() {
    let app = TestApp::builder().build().await;
    let missing: Reply<()> = app
        .call_as(ApiRequest::new(Method::GET, "/api/v1/auth/me"))
        .await;
    assert_eq!(missing.error_code(401), ErrorCode::MissingToken);
    assert_eq!(missing.header("www-authenticate"), "Bearer");
    let forged = app.with_token("eyJhbGciOiJIUzI1NiJ9.e30.sig").me().await;
    assert_eq!(forged.error_code(401), ErrorCode::InvalidToken);
    let wrong_scheme: Reply<()> = app
        .call_as(
            ApiRequest::new(Method::GET, "/api/v1/auth/me")
                .header("authorization", "Basic YWRtaW46YWRtaW4="),
        )
        .await;
    assert_eq!(wrong_scheme.error_code(401), ErrorCode::MissingToken);
}

#[actix_web::test]
async fn a_missing_token_is_reported_before_a_bad_body() {
    let app = TestApp::builder().build().await;
    let reply: Reply<()> = app
        .call_as(
            ApiRequest::new(Method::POST, "/api/v1/users")
                .header("content-type", "application/json")
                .bytes(b"{not json".to_vec()),
        )
        .await;
    assert_eq!(reply.error_code(401), ErrorCode::MissingToken);
}

#[actix_web::test]
async fn changing_the_password_signs_out_the_other_sessions_only() {
    let app = TestApp::builder().with_agent("ana").build().await;
    let laptop = app.sign_in_ok("ana").await;
    let phone = app.sign_in_ok("ana").await;
    let as_laptop = app.with_token(&laptop.access_token);

    let wrong = as_laptop.change_password("nope", "a brand new one").await;
    assert_eq!(wrong.error_code(422), ErrorCode::ValidationFailed);
    assert_eq!(wrong.error().error.details[0].field, "current_password");

    let weak = as_laptop.change_password(PASSWORD, "short").await;
    assert_eq!(weak.error_code(422), ErrorCode::ValidationFailed);
    assert_eq!(weak.error().error.details[0].field, "new_password");

    as_laptop
        .change_password(PASSWORD, "a brand new one")
        .await
        .expect(204);

    as_laptop.me().await.expect(200);
    app.refresh(&laptop.refresh_token).await.expect(200);
    assert_eq!(
        app.with_token(&phone.access_token)
            .me()
            .await
            .error_code(401),
        ErrorCode::InvalidToken
    );
    assert_eq!(
        app.refresh(&phone.refresh_token).await.error_code(401),
        ErrorCode::InvalidRefreshToken
    );

    assert_eq!(app.sign_in("ana", PASSWORD).await.status.as_u16(), 401);
    app.sign_in("ana", "a brand new one").await.expect(200);
}

#[actix_web::test]
async fn deactivation_stops_every_token_of_the_user_at_once() {
    let app = TestApp::builder()
        .with_admin()
        .with_agent("ana")
        .build()
        .await;
    let admin = app.as_(app.admin());
    let ana = app.user("ana");

    admin
        .update_user(ana.id, &json!({"active": false}))
        .await
        .expect(200);
    assert_eq!(
        app.as_(ana).me().await.error_code(401),
        ErrorCode::InvalidToken
    );
    assert_eq!(
        app.refresh(&ana.refresh_token).await.error_code(401),
        ErrorCode::InvalidRefreshToken
    );

    // Reactivation does not resurrect old sessions, but allows a new login.
    admin
        .update_user(ana.id, &json!({"active": true}))
        .await
        .expect(200);
    assert_eq!(
        app.as_(ana).me().await.error_code(401),
        ErrorCode::InvalidToken
    );
    app.sign_in("ana", PASSWORD).await.expect(200);
}

#[actix_web::test]
async fn a_role_change_applies_to_existing_tokens_at_once() {
    let app = TestApp::builder()
        .with_admin()
        .with_agent("ana")
        .build()
        .await;
    let ana = app.user("ana");
    let as_ana = app.as_(ana);
    assert_eq!(as_ana.users().await.error_code(403), ErrorCode::Forbidden);
    app.as_(app.admin())
        .update_user(ana.id, &json!({"role": "admin"}))
        .await
        .expect(200);
    as_ana.users().await.expect(200);
}

/// The `switchboard_refresh` cookie from a response, as `name=value`, with its attributes.
fn refresh_cookie<T>(reply: &Reply<T>) -> (String, String) {
    let set_cookie = reply
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("switchboard_refresh="))
        .expect("a switchboard_refresh cookie");
    let (pair, attributes) = set_cookie.split_once(';').unwrap();
    (pair.to_owned(), attributes.to_owned())
}

/// A refresh or logout that names no token in its body, so only `cookie` can carry one.
fn by_cookie(path: &str, cookie: &str) -> ApiRequest {
    ApiRequest::new(Method::POST, path)
        .header("cookie", cookie)
        .json(&json!({}))
}

#[actix_web::test]
async fn login_puts_the_refresh_token_in_an_http_only_strict_cookie_scoped_to_auth() {
    let app = TestApp::builder().with_agent("ana").build().await;
    let reply = app.sign_in("ana", PASSWORD).await;
    let (pair, attributes) = refresh_cookie(&reply);
    assert_eq!(
        pair,
        format!("switchboard_refresh={}", reply.expect(200).refresh_token)
    );
    for attribute in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/api/v1/auth",
        "Max-Age=",
    ] {
        assert!(
            attributes.contains(attribute),
            "{attribute} in {attributes}"
        );
    }
    assert!(
        !attributes.contains("Secure"),
        "plain http (a local run) cannot keep a Secure cookie: {attributes}"
    );
}

#[actix_web::test]
async fn the_refresh_cookie_is_secure_behind_tls() {
    let app = TestApp::builder().with_agent("ana").build().await;
    // An absolute https URI, which the typed helpers (paths only) cannot send.
    let reply = app
        .send(
            TestRequest::post()
                .uri("https://desk.example.com/api/v1/auth/login")
                .set_json(json!({"username": "ana", "password": PASSWORD})),
        )
        .await;
    reply.expect(200);
    assert!(refresh_cookie(&reply).1.contains("Secure"));
}

#[actix_web::test]
async fn refresh_without_a_token_in_the_body_spends_the_cookie_and_sets_the_next_one() {
    let app = TestApp::builder().with_agent("ana").build().await;
    let (cookie, _) = refresh_cookie(&app.sign_in("ana", PASSWORD).await);

    let rotated: Reply<TokenResponse> = app
        .call_as(by_cookie("/api/v1/auth/refresh", &cookie))
        .await;
    let tokens = rotated.expect(200);
    let (next, _) = refresh_cookie(&rotated);
    assert_ne!(next, cookie);
    app.with_token(&tokens.access_token).me().await.expect(200);
    let reused: Reply<()> = app
        .call_as(by_cookie("/api/v1/auth/refresh", &cookie))
        .await;
    assert_eq!(
        reused.error_code(401),
        ErrorCode::RefreshTokenReused,
        "the cookie is single-use like the token it carries"
    );
}

#[actix_web::test]
async fn refresh_with_neither_a_token_nor_the_cookie_is_a_401() {
    let app = TestApp::builder().build().await;
    let reply: Reply<()> = app
        .call_as(ApiRequest::new(Method::POST, "/api/v1/auth/refresh").json(&json!({})))
        .await;
    assert_eq!(reply.error_code(401), ErrorCode::InvalidRefreshToken);
}

#[actix_web::test]
async fn logout_by_cookie_ends_the_session_and_clears_the_cookie() {
    let app = TestApp::builder().with_agent("ana").build().await;
    let login = app.sign_in("ana", PASSWORD).await;
    let (cookie, _) = refresh_cookie(&login);
    let out: Reply<()> = app.call_as(by_cookie("/api/v1/auth/logout", &cookie)).await;
    out.expect(204);
    let (cleared, attributes) = refresh_cookie(&out);
    assert_eq!(cleared, "switchboard_refresh=");
    assert!(attributes.contains("Max-Age=0"), "{attributes}");
    assert_eq!(
        app.refresh(&login.expect(200).refresh_token)
            .await
            .error_code(401),
        ErrorCode::InvalidRefreshToken
    );
}
