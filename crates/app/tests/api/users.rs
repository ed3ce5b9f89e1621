//! User administration: admins only, validation, uniqueness, the last-admin rule.

use serde_json::json;
use switchboard_domain::users::model::Role;
use switchboard_domain::users::ports::UserRepository as _;

use crate::common::{PASSWORD, TestApp, get, login, login_reply, patch, post, send};

#[actix_web::test]
async fn an_admin_creates_lists_reads_and_changes_users() {
    let t = TestApp::new();
    t.user("root", Role::Admin).await;
    let app = t.service().await;
    let (admin, _) = login(&app, "root").await;

    let created = send(
        &app,
        post(
            "/api/v1/users",
            &admin,
            json!({"username": "Ana.Lima", "password": "a long passphrase", "role": "agent", "display_name": "Ana Lima"}),
        ),
    )
    .await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.body);
    assert_eq!(created.body["username"], "Ana.Lima");
    assert_eq!(created.body["display_name"], "Ana Lima");
    assert_eq!(created.body["role"], "agent");
    assert_eq!(created.body["active"], true);
    assert!(created.body.get("password_hash").is_none() && created.body.get("password").is_none());
    let id = created.body["id"].as_i64().unwrap();

    let listed = send(&app, get("/api/v1/users", &admin)).await;
    let names: Vec<_> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].clone())
        .collect();
    assert_eq!(names, vec![json!("root"), json!("Ana.Lima")]);

    let fetched = send(&app, get(&format!("/api/v1/users/{id}"), &admin)).await;
    assert_eq!(fetched.body, created.body);

    let changed = send(
        &app,
        patch(
            &format!("/api/v1/users/{id}"),
            &admin,
            json!({"display_name": "Ana L.", "role": "viewer"}),
        ),
    )
    .await;
    assert_eq!(changed.status.as_u16(), 200);
    assert_eq!(changed.body["display_name"], "Ana L.");
    assert_eq!(changed.body["role"], "viewer");

    assert_eq!(
        login_reply(&app, "ana.lima", "a long passphrase")
            .await
            .status
            .as_u16(),
        200
    );
}

#[actix_web::test]
async fn the_display_name_defaults_to_the_username() {
    let t = TestApp::new();
    t.user("root", Role::Admin).await;
    let app = t.service().await;
    let (admin, _) = login(&app, "root").await;
    let created = send(
        &app,
        post(
            "/api/v1/users",
            &admin,
            json!({"username": "bob", "password": "a long passphrase", "role": "viewer"}),
        ),
    )
    .await;
    assert_eq!(created.body["display_name"], "bob");
}

#[actix_web::test]
async fn usernames_are_unique_case_insensitively() {
    let t = TestApp::new();
    t.user("root", Role::Admin).await;
    t.user("ana", Role::Agent).await;
    let app = t.service().await;
    let (admin, _) = login(&app, "root").await;
    let reply = send(
        &app,
        post(
            "/api/v1/users",
            &admin,
            json!({"username": "ANA", "password": "a long passphrase", "role": "agent"}),
        ),
    )
    .await;
    assert_eq!(reply.error(409), "username_taken");
}

#[actix_web::test]
async fn invalid_user_fields_are_all_reported_in_one_422() {
    let t = TestApp::new();
    t.user("root", Role::Admin).await;
    let app = t.service().await;
    let (admin, _) = login(&app, "root").await;
    let reply = send(
        &app,
        post(
            "/api/v1/users",
            &admin,
            json!({"username": "a b", "password": "short", "role": "agent", "display_name": " "}),
        ),
    )
    .await;
    assert_eq!(reply.error(422), "validation_failed");
    let mut fields: Vec<_> = reply.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_owned())
        .collect();
    fields.sort();
    assert_eq!(fields, ["display_name", "password", "username"]);

    let bad_role = send(
        &app,
        post(
            "/api/v1/users",
            &admin,
            json!({"username": "ana", "password": "a long passphrase", "role": "root"}),
        ),
    )
    .await;
    assert_eq!(bad_role.error(422), "validation_failed");
}

#[actix_web::test]
async fn agents_and_viewers_get_403_on_user_administration() {
    let t = TestApp::new();
    let root = t.user("root", Role::Admin).await;
    t.user("agent", Role::Agent).await;
    t.user("viewer", Role::Viewer).await;
    let app = t.service().await;
    for who in ["agent", "viewer"] {
        let (token, _) = login(&app, who).await;
        assert_eq!(
            send(&app, get("/api/v1/users", &token)).await.error(403),
            "forbidden",
            "{who}"
        );
        assert_eq!(
            send(&app, get(&format!("/api/v1/users/{root}"), &token))
                .await
                .error(403),
            "forbidden"
        );
        let create = post(
            "/api/v1/users",
            &token,
            json!({"username": "x-user", "password": "a long passphrase", "role": "admin"}),
        );
        assert_eq!(send(&app, create).await.error(403), "forbidden");
        let promote = patch(
            &format!("/api/v1/users/{root}"),
            &token,
            json!({"active": false}),
        );
        assert_eq!(send(&app, promote).await.error(403), "forbidden");
    }
}

#[actix_web::test]
async fn an_unknown_user_is_a_404() {
    let t = TestApp::new();
    t.user("root", Role::Admin).await;
    let app = t.service().await;
    let (admin, _) = login(&app, "root").await;
    assert_eq!(
        send(&app, get("/api/v1/users/999", &admin))
            .await
            .error(404),
        "not_found"
    );
    assert_eq!(
        send(
            &app,
            patch("/api/v1/users/999", &admin, json!({"active": false}))
        )
        .await
        .error(404),
        "not_found"
    );
}

#[actix_web::test]
async fn two_admins_demoting_each_other_at_the_same_moment_leave_one_admin() {
    let t = TestApp::new();
    let app = t.service().await;
    for round in 0..10 {
        let (a_name, b_name) = (format!("ann-{round}"), format!("ben-{round}"));
        let a = t.user(&a_name, Role::Admin).await;
        let b = t.user(&b_name, Role::Admin).await;
        let (a_token, _) = login(&app, &a_name).await;
        let (b_token, _) = login(&app, &b_name).await;
        // The previous round's survivor steps down, so ann and ben are the only admins.
        if round > 0 {
            let survivor = t
                .store
                .list_users()
                .await
                .unwrap()
                .into_iter()
                .find(|u| u.id != a && u.id != b && u.role == Role::Admin && u.active);
            let survivor = survivor.unwrap();
            let path = format!("/api/v1/users/{}", survivor.id);
            let reply = send(&app, patch(&path, &a_token, json!({"role": "agent"}))).await;
            assert_eq!(reply.status.as_u16(), 200);
        }
        let (a_path, b_path) = (format!("/api/v1/users/{a}"), format!("/api/v1/users/{b}"));
        let (by_a, by_b) = futures_util::join!(
            send(&app, patch(&b_path, &a_token, json!({"role": "viewer"}))),
            send(&app, patch(&a_path, &b_token, json!({"active": false}))),
        );
        // One change wins. The other is refused: `409 last_admin` when both were in flight at
        // once (the case this test is for), or, when the winner had finished before the other
        // was authenticated, `403` (ben is no longer an admin) or `401` (ann is deactivated).
        let outcomes = [&by_a, &by_b].map(|r| (r.status.as_u16(), r.code()));
        let won = outcomes.iter().filter(|(status, _)| *status == 200).count();
        assert_eq!(won, 1, "round {round}: {outcomes:?}");
        let refused = outcomes.iter().find(|(status, _)| *status != 200).unwrap();
        assert!(
            matches!(
                (refused.0, refused.1),
                (409, "last_admin") | (403, "forbidden") | (401, "invalid_token")
            ),
            "round {round}: {outcomes:?}"
        );
        assert_eq!(t.store.count_active_admins().await.unwrap(), 1);
    }
}

#[actix_web::test]
async fn the_last_active_admin_cannot_be_demoted_or_deactivated() {
    let t = TestApp::new();
    let root = t.user("root", Role::Admin).await;
    let app = t.service().await;
    let (admin, _) = login(&app, "root").await;
    let path = format!("/api/v1/users/{root}");
    assert_eq!(
        send(&app, patch(&path, &admin, json!({"role": "agent"})))
            .await
            .error(409),
        "last_admin"
    );
    assert_eq!(
        send(&app, patch(&path, &admin, json!({"active": false})))
            .await
            .error(409),
        "last_admin"
    );

    // With a second admin, the first may step down.
    t.user("second", Role::Admin).await;
    assert_eq!(
        send(&app, patch(&path, &admin, json!({"role": "agent"})))
            .await
            .status
            .as_u16(),
        200
    );
}

#[actix_web::test]
async fn an_admin_password_reset_signs_the_user_out_everywhere() {
    let t = TestApp::new();
    t.user("root", Role::Admin).await;
    let ana = t.user("ana", Role::Agent).await;
    let app = t.service().await;
    let (admin, _) = login(&app, "root").await;
    let (agent, _) = login(&app, "ana").await;

    let weak = send(
        &app,
        patch(
            &format!("/api/v1/users/{ana}"),
            &admin,
            json!({"password": "short"}),
        ),
    )
    .await;
    assert_eq!(weak.error(422), "validation_failed");

    let reset = send(
        &app,
        patch(
            &format!("/api/v1/users/{ana}"),
            &admin,
            json!({"password": "reset by admin"}),
        ),
    )
    .await;
    assert_eq!(reset.status.as_u16(), 200);
    assert_eq!(
        send(&app, get("/api/v1/auth/me", &agent)).await.error(401),
        "invalid_token"
    );
    assert_eq!(
        login_reply(&app, "ana", PASSWORD).await.status.as_u16(),
        401
    );
    assert_eq!(
        login_reply(&app, "ana", "reset by admin")
            .await
            .status
            .as_u16(),
        200
    );
}
