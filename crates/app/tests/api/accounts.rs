//! Signing in, lock-out, token refresh and rotation, logout, password changes, and how account
//! changes take effect at once.

use actix_web::test::TestRequest;
use serde_json::json;
use switchboard_domain::users::model::Role;

use crate::common::{PASSWORD, TestApp, get, login, login_reply, patch, post, send};

fn refresh_request(token: &str) -> TestRequest {
    TestRequest::post()
        .uri("/api/v1/auth/refresh")
        .set_json(json!({"refresh_token": token}))
}

fn logout_request(token: &str) -> TestRequest {
    TestRequest::post()
        .uri("/api/v1/auth/logout")
        .set_json(json!({"refresh_token": token}))
}

#[actix_web::test]
async fn login_returns_a_bearer_token_pair_and_the_user() {
    let t = TestApp::new();
    t.user("ana", Role::Agent).await;
    let app = t.service().await;
    let reply = login_reply(&app, "ana", PASSWORD).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    assert_eq!(reply.body["token_type"], "Bearer");
    let expires_in = reply.body["expires_in"].as_i64().unwrap();
    assert!(
        (890..=900).contains(&expires_in),
        "15 minutes: {expires_in}"
    );
    assert!(reply.body["refresh_token"].as_str().unwrap().len() >= 43);
    assert_eq!(reply.body["user"]["username"], "ana");
    assert_eq!(reply.body["user"]["role"], "agent");
    assert_eq!(reply.headers.get("cache-control").unwrap(), "no-store");

    let me = send(
        &app,
        get(
            "/api/v1/auth/me",
            reply.body["access_token"].as_str().unwrap(),
        ),
    )
    .await;
    assert_eq!(me.status.as_u16(), 200);
    assert_eq!(me.body["username"], "ana");
}

#[actix_web::test]
async fn usernames_match_case_insensitively_at_login() {
    let t = TestApp::new();
    t.user("Ana.Lima", Role::Agent).await;
    let app = t.service().await;
    assert_eq!(
        login_reply(&app, "ana.lima", PASSWORD)
            .await
            .status
            .as_u16(),
        200
    );
    assert_eq!(
        login_reply(&app, "ANA.LIMA", PASSWORD)
            .await
            .status
            .as_u16(),
        200
    );
}

#[actix_web::test]
async fn an_unknown_user_and_a_wrong_password_get_the_same_401() {
    let t = TestApp::new();
    t.user("ana", Role::Agent).await;
    let app = t.service().await;
    let wrong_password = login_reply(&app, "ana", "not the password").await;
    let unknown_user = login_reply(&app, "nobody", PASSWORD).await;
    assert_eq!(wrong_password.error(401), "invalid_credentials");
    assert_eq!(unknown_user.error(401), "invalid_credentials");
    assert_eq!(wrong_password.body, unknown_user.body);
}

#[actix_web::test]
async fn five_failures_lock_the_username_with_retry_after() {
    let t = TestApp::new();
    t.user("ana", Role::Agent).await;
    t.user("bob", Role::Agent).await;
    let app = t.service().await;
    for _ in 0..5 {
        assert_eq!(
            login_reply(&app, "ana", "wrong").await.error(401),
            "invalid_credentials"
        );
    }
    // Even the right password is refused while locked.
    let locked = login_reply(&app, "ANA", PASSWORD).await;
    assert_eq!(locked.error(429), "too_many_login_attempts");
    let retry_after: u64 = locked
        .headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    // Other usernames are unaffected.
    assert_eq!(
        login_reply(&app, "bob", PASSWORD).await.status.as_u16(),
        200
    );
}

#[actix_web::test]
async fn a_hundred_wrong_guesses_at_once_check_no_more_than_five_passwords() {
    let t = TestApp::new();
    t.user("ana", Role::Agent).await;
    let app = t.service().await;
    let guesses =
        (0..100).map(|i| login_reply(&app, "ana", if i == 50 { PASSWORD } else { "wrong" }));
    let replies = futures_util::future::join_all(guesses).await;
    let checked = replies.iter().filter(|r| r.status.as_u16() != 429).count();
    assert!(checked <= 5, "{checked} passwords were checked");
    assert!(checked >= 1, "some attempt went ahead");
    for reply in replies.iter().filter(|r| r.status.as_u16() == 429) {
        assert_eq!(reply.code(), "too_many_login_attempts");
    }
    // The right password was checked only if it was among the five.
    let signed_in = replies.iter().filter(|r| r.status.as_u16() == 200).count();
    assert!(signed_in <= 1);
    if signed_in == 0 {
        assert_eq!(
            login_reply(&app, "ana", PASSWORD).await.error(429),
            "too_many_login_attempts",
            "a right password inside a spent budget is refused"
        );
    }
}

#[actix_web::test]
async fn one_address_trying_many_usernames_is_limited_whatever_the_forwarding_headers_say() {
    let t = TestApp::new();
    t.user("ana", Role::Agent).await;
    let app = t.service().await;
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
        let reply = send(
            &app,
            attempt(
                format!("user{n}"),
                "203.0.113.7:4000",
                &format!("10.9.0.{n}"),
            ),
        )
        .await;
        assert_eq!(reply.error(401), "invalid_credentials");
    }
    let refused = send(&app, attempt("ana".into(), "203.0.113.7:4001", "10.9.9.9")).await;
    assert_eq!(refused.error(429), "too_many_sign_in_attempts");
    assert!(refused.headers.contains_key("retry-after"));
    // Another address still signs in.
    let other = TestRequest::post()
        .uri("/api/v1/auth/login")
        .peer_addr("198.51.100.1:4000".parse().unwrap())
        .set_json(json!({"username": "ana", "password": PASSWORD}));
    assert_eq!(send(&app, other).await.status.as_u16(), 200);
}

#[actix_web::test]
async fn four_failures_then_a_success_reset_the_count() {
    let t = TestApp::new();
    t.user("ana", Role::Agent).await;
    let app = t.service().await;
    for _ in 0..4 {
        login_reply(&app, "ana", "wrong").await;
    }
    assert_eq!(
        login_reply(&app, "ana", PASSWORD).await.status.as_u16(),
        200
    );
    for _ in 0..4 {
        assert_eq!(login_reply(&app, "ana", "wrong").await.status.as_u16(), 401);
    }
    assert_eq!(
        login_reply(&app, "ana", PASSWORD).await.status.as_u16(),
        200
    );
}

#[actix_web::test]
async fn unknown_usernames_are_locked_out_too() {
    let t = TestApp::new();
    let app = t.service().await;
    for _ in 0..5 {
        assert_eq!(login_reply(&app, "ghost", "x").await.status.as_u16(), 401);
    }
    assert_eq!(
        login_reply(&app, "ghost", "x").await.error(429),
        "too_many_login_attempts"
    );
}

#[actix_web::test]
async fn a_deactivated_user_cannot_log_in() {
    let t = TestApp::new();
    t.user("root", Role::Admin).await;
    let ana = t.user("ana", Role::Agent).await;
    let app = t.service().await;
    let (admin, _) = login(&app, "root").await;
    let reply = send(
        &app,
        patch(
            &format!("/api/v1/users/{ana}"),
            &admin,
            json!({"active": false}),
        ),
    )
    .await;
    assert_eq!(reply.status.as_u16(), 200);
    assert_eq!(
        login_reply(&app, "ana", PASSWORD).await.error(403),
        "account_deactivated"
    );
    // A wrong password still says nothing about the account.
    assert_eq!(
        login_reply(&app, "ana", "wrong").await.error(401),
        "invalid_credentials"
    );
}

#[actix_web::test]
async fn refresh_rotates_and_reusing_a_spent_token_revokes_the_session() {
    let t = TestApp::new();
    t.user("ana", Role::Agent).await;
    let app = t.service().await;
    let (access, first) = login(&app, "ana").await;

    let rotated = send(&app, refresh_request(&first)).await;
    assert_eq!(rotated.status.as_u16(), 200, "{}", rotated.body);
    let second = rotated.body["refresh_token"].as_str().unwrap().to_owned();
    let new_access = rotated.body["access_token"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    assert_eq!(
        send(&app, get("/api/v1/auth/me", &new_access))
            .await
            .status
            .as_u16(),
        200
    );

    let reused = send(&app, refresh_request(&first)).await;
    assert_eq!(reused.error(401), "refresh_token_reused");
    // The whole family is gone: the successor token and every access token of the session.
    assert_eq!(
        send(&app, refresh_request(&second)).await.error(401),
        "invalid_refresh_token"
    );
    assert_eq!(
        send(&app, get("/api/v1/auth/me", &new_access))
            .await
            .error(401),
        "invalid_token"
    );
    assert_eq!(
        send(&app, get("/api/v1/auth/me", &access)).await.error(401),
        "invalid_token"
    );

    // Other sessions of the same user live on.
    let (other, _) = login(&app, "ana").await;
    assert_eq!(
        send(&app, get("/api/v1/auth/me", &other))
            .await
            .status
            .as_u16(),
        200
    );
}

#[actix_web::test]
async fn an_unknown_refresh_token_is_a_401() {
    let t = TestApp::new();
    let app = t.service().await;
    assert_eq!(
        send(&app, refresh_request("made-up")).await.error(401),
        "invalid_refresh_token"
    );
}

#[actix_web::test]
async fn logout_ends_the_session_and_always_answers_204() {
    let t = TestApp::new();
    t.user("ana", Role::Agent).await;
    let app = t.service().await;
    let (access, refresh) = login(&app, "ana").await;
    assert_eq!(
        send(&app, logout_request(&refresh)).await.status.as_u16(),
        204
    );
    assert_eq!(
        send(&app, refresh_request(&refresh)).await.error(401),
        "invalid_refresh_token"
    );
    assert_eq!(
        send(&app, get("/api/v1/auth/me", &access)).await.error(401),
        "invalid_token"
    );
    assert_eq!(
        send(&app, logout_request(&refresh)).await.status.as_u16(),
        204
    );
    assert_eq!(
        send(&app, logout_request("never-issued"))
            .await
            .status
            .as_u16(),
        204
    );
}

#[actix_web::test]
async fn protected_endpoints_refuse_missing_and_forged_tokens() {
    let t = TestApp::new();
    let app = t.service().await;
    let missing = send(&app, TestRequest::get().uri("/api/v1/auth/me")).await;
    assert_eq!(missing.error(401), "missing_token");
    assert_eq!(missing.headers.get("www-authenticate").unwrap(), "Bearer");
    let forged = send(&app, get("/api/v1/auth/me", "eyJhbGciOiJIUzI1NiJ9.e30.sig")).await;
    assert_eq!(forged.error(401), "invalid_token");
    let wrong_scheme = send(
        &app,
        TestRequest::get()
            .uri("/api/v1/auth/me")
            .insert_header(("authorization", "Basic YWRtaW46YWRtaW4=")),
    )
    .await;
    assert_eq!(wrong_scheme.error(401), "missing_token");
}

#[actix_web::test]
async fn a_missing_token_is_reported_before_a_bad_body() {
    let t = TestApp::new();
    let app = t.service().await;
    let reply = send(
        &app,
        TestRequest::post()
            .uri("/api/v1/users")
            .insert_header(("content-type", "application/json"))
            .set_payload("{not json"),
    )
    .await;
    assert_eq!(reply.error(401), "missing_token");
}

#[actix_web::test]
async fn changing_the_password_signs_out_the_other_sessions_only() {
    let t = TestApp::new();
    t.user("ana", Role::Agent).await;
    let app = t.service().await;
    let (laptop, laptop_refresh) = login(&app, "ana").await;
    let (phone, phone_refresh) = login(&app, "ana").await;

    let wrong = send(
        &app,
        post(
            "/api/v1/auth/password",
            &laptop,
            json!({"current_password": "nope", "new_password": "a brand new one"}),
        ),
    )
    .await;
    assert_eq!(wrong.error(422), "validation_failed");
    assert_eq!(
        wrong.body["error"]["details"][0]["field"],
        "current_password"
    );

    let weak = send(
        &app,
        post(
            "/api/v1/auth/password",
            &laptop,
            json!({"current_password": PASSWORD, "new_password": "short"}),
        ),
    )
    .await;
    assert_eq!(weak.error(422), "validation_failed");
    assert_eq!(weak.body["error"]["details"][0]["field"], "new_password");

    let changed = send(
        &app,
        post(
            "/api/v1/auth/password",
            &laptop,
            json!({"current_password": PASSWORD, "new_password": "a brand new one"}),
        ),
    )
    .await;
    assert_eq!(changed.status.as_u16(), 204, "{}", changed.body);

    assert_eq!(
        send(&app, get("/api/v1/auth/me", &laptop))
            .await
            .status
            .as_u16(),
        200
    );
    assert_eq!(
        send(&app, refresh_request(&laptop_refresh))
            .await
            .status
            .as_u16(),
        200
    );
    assert_eq!(
        send(&app, get("/api/v1/auth/me", &phone)).await.error(401),
        "invalid_token"
    );
    assert_eq!(
        send(&app, refresh_request(&phone_refresh)).await.error(401),
        "invalid_refresh_token"
    );

    assert_eq!(
        login_reply(&app, "ana", PASSWORD).await.status.as_u16(),
        401
    );
    assert_eq!(
        login_reply(&app, "ana", "a brand new one")
            .await
            .status
            .as_u16(),
        200
    );
}

#[actix_web::test]
async fn deactivation_stops_every_token_of_the_user_at_once() {
    let t = TestApp::new();
    t.user("root", Role::Admin).await;
    let ana = t.user("ana", Role::Agent).await;
    let app = t.service().await;
    let (admin, _) = login(&app, "root").await;
    let (access, refresh) = login(&app, "ana").await;

    send(
        &app,
        patch(
            &format!("/api/v1/users/{ana}"),
            &admin,
            json!({"active": false}),
        ),
    )
    .await;
    assert_eq!(
        send(&app, get("/api/v1/auth/me", &access)).await.error(401),
        "invalid_token"
    );
    assert_eq!(
        send(&app, refresh_request(&refresh)).await.error(401),
        "invalid_refresh_token"
    );

    // Reactivation does not resurrect old sessions, but allows a new login.
    send(
        &app,
        patch(
            &format!("/api/v1/users/{ana}"),
            &admin,
            json!({"active": true}),
        ),
    )
    .await;
    assert_eq!(
        send(&app, get("/api/v1/auth/me", &access)).await.error(401),
        "invalid_token"
    );
    assert_eq!(
        login_reply(&app, "ana", PASSWORD).await.status.as_u16(),
        200
    );
}

#[actix_web::test]
async fn a_role_change_applies_to_existing_tokens_at_once() {
    let t = TestApp::new();
    t.user("root", Role::Admin).await;
    let ana = t.user("ana", Role::Agent).await;
    let app = t.service().await;
    let (admin, _) = login(&app, "root").await;
    let (agent, _) = login(&app, "ana").await;
    assert_eq!(
        send(&app, get("/api/v1/users", &agent)).await.error(403),
        "forbidden"
    );
    send(
        &app,
        patch(
            &format!("/api/v1/users/{ana}"),
            &admin,
            json!({"role": "admin"}),
        ),
    )
    .await;
    assert_eq!(
        send(&app, get("/api/v1/users", &agent))
            .await
            .status
            .as_u16(),
        200
    );
}

/// The `switchboard_refresh` cookie from a response, as `name=value`, with its attributes.
fn refresh_cookie(reply: &crate::common::Reply) -> (String, String) {
    let set_cookie = reply
        .headers
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("switchboard_refresh="))
        .expect("a switchboard_refresh cookie");
    let (pair, attributes) = set_cookie.split_once(';').unwrap();
    (pair.to_owned(), attributes.to_owned())
}

#[actix_web::test]
async fn login_puts_the_refresh_token_in_an_http_only_strict_cookie_scoped_to_auth() {
    let t = TestApp::new();
    t.user("ana", Role::Agent).await;
    let app = t.service().await;
    let reply = login_reply(&app, "ana", PASSWORD).await;
    let (pair, attributes) = refresh_cookie(&reply);
    assert_eq!(
        pair,
        format!(
            "switchboard_refresh={}",
            reply.body["refresh_token"].as_str().unwrap()
        )
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
    let t = TestApp::new();
    t.user("ana", Role::Agent).await;
    let app = t.service().await;
    let reply = send(
        &app,
        TestRequest::post()
            .uri("https://desk.example.com/api/v1/auth/login")
            .set_json(json!({"username": "ana", "password": PASSWORD})),
    )
    .await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    assert!(refresh_cookie(&reply).1.contains("Secure"));
}

#[actix_web::test]
async fn refresh_without_a_token_in_the_body_spends_the_cookie_and_sets_the_next_one() {
    let t = TestApp::new();
    t.user("ana", Role::Agent).await;
    let app = t.service().await;
    let (cookie, _) = refresh_cookie(&login_reply(&app, "ana", PASSWORD).await);

    let by_cookie = |cookie: &str| {
        TestRequest::post()
            .uri("/api/v1/auth/refresh")
            .insert_header(("cookie", cookie.to_owned()))
            .set_json(json!({}))
    };
    let rotated = send(&app, by_cookie(&cookie)).await;
    assert_eq!(rotated.status.as_u16(), 200, "{}", rotated.body);
    let (next, _) = refresh_cookie(&rotated);
    assert_ne!(next, cookie);
    assert_eq!(
        send(
            &app,
            get(
                "/api/v1/auth/me",
                rotated.body["access_token"].as_str().unwrap()
            )
        )
        .await
        .status
        .as_u16(),
        200
    );
    assert_eq!(
        send(&app, by_cookie(&cookie)).await.error(401),
        "refresh_token_reused",
        "the cookie is single-use like the token it carries"
    );
}

#[actix_web::test]
async fn refresh_with_neither_a_token_nor_the_cookie_is_a_401() {
    let t = TestApp::new();
    let app = t.service().await;
    let reply = send(
        &app,
        TestRequest::post()
            .uri("/api/v1/auth/refresh")
            .set_json(json!({})),
    )
    .await;
    assert_eq!(reply.error(401), "invalid_refresh_token");
}

#[actix_web::test]
async fn logout_by_cookie_ends_the_session_and_clears_the_cookie() {
    let t = TestApp::new();
    t.user("ana", Role::Agent).await;
    let app = t.service().await;
    let login = login_reply(&app, "ana", PASSWORD).await;
    let (cookie, _) = refresh_cookie(&login);
    let out = send(
        &app,
        TestRequest::post()
            .uri("/api/v1/auth/logout")
            .insert_header(("cookie", cookie.clone()))
            .set_json(json!({})),
    )
    .await;
    assert_eq!(out.status.as_u16(), 204);
    let (cleared, attributes) = refresh_cookie(&out);
    assert_eq!(cleared, "switchboard_refresh=");
    assert!(attributes.contains("Max-Age=0"), "{attributes}");
    assert_eq!(
        send(
            &app,
            refresh_request(login.body["refresh_token"].as_str().unwrap())
        )
        .await
        .error(401),
        "invalid_refresh_token"
    );
}
