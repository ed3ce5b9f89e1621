//! User administration: admins only, validation, uniqueness, the last-admin rule.

use serde_json::json;
use switchboard_domain::users::model::Role;
use switchboard_domain::users::ports::UserRepository as _;
use switchboard_http::ErrorCode;
use switchboard_http::dto::RoleDto;

use crate::common::{PASSWORD, TestApp};
use crate::harness::Transport;

#[actix_web::test]
async fn an_admin_creates_lists_reads_and_changes_users() {
    let app = TestApp::builder().with_admin().build().await;
    let admin = app.as_(app.admin());

    let created = admin
        .create_user(&json!({"username": "Ana.Lima", "password": "a long passphrase", "role": "agent", "display_name": "Ana Lima"}))
        .await;
    let raw = created.raw();
    assert!(raw.get("password_hash").is_none() && raw.get("password").is_none());
    let user = created.expect(201);
    assert_eq!(user.username, "Ana.Lima");
    assert_eq!(user.display_name, "Ana Lima");
    assert_eq!(user.role, RoleDto::Agent);
    assert!(user.active);

    let names: Vec<_> = admin
        .users()
        .await
        .ok()
        .items
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["root", "Ana.Lima"]);

    let fetched = admin.user(user.id).await;
    assert_eq!(fetched.raw(), raw);

    let changed = admin
        .update_user(
            user.id,
            &json!({"display_name": "Ana L.", "role": "viewer"}),
        )
        .await
        .expect(200);
    assert_eq!(changed.display_name, "Ana L.");
    assert_eq!(changed.role, RoleDto::Viewer);

    app.sign_in("ana.lima", "a long passphrase")
        .await
        .expect(200);
}

#[actix_web::test]
async fn the_display_name_defaults_to_the_username() {
    let app = TestApp::builder().with_admin().build().await;
    let created = app
        .as_(app.admin())
        .create_user(&json!({"username": "bob", "password": "a long passphrase", "role": "viewer"}))
        .await
        .ok();
    assert_eq!(created.display_name, "bob");
}

#[actix_web::test]
async fn usernames_are_unique_case_insensitively() {
    let app = TestApp::builder()
        .with_admin()
        .with_agent("ana")
        .build()
        .await;
    let reply = app
        .as_(app.admin())
        .create_user(&json!({"username": "ANA", "password": "a long passphrase", "role": "agent"}))
        .await;
    assert_eq!(reply.error_code(409), ErrorCode::UsernameTaken);
}

#[actix_web::test]
async fn invalid_user_fields_are_all_reported_in_one_422() {
    let app = TestApp::builder().with_admin().build().await;
    let admin = app.as_(app.admin());
    let reply = admin
        .create_user(
            &json!({"username": "a b", "password": "short", "role": "agent", "display_name": " "}),
        )
        .await;
    assert_eq!(reply.error_code(422), ErrorCode::ValidationFailed);
    let mut fields: Vec<_> = reply
        .error()
        .error
        .details
        .into_iter()
        .map(|d| d.field)
        .collect();
    fields.sort();
    assert_eq!(fields, ["display_name", "password", "username"]);

    let bad_role = admin
        .create_user(&json!({"username": "ana", "password": "a long passphrase", "role": "root"}))
        .await;
    assert_eq!(bad_role.error_code(422), ErrorCode::ValidationFailed);
}

#[actix_web::test]
async fn agents_and_viewers_get_403_on_user_administration() {
    let app = TestApp::builder()
        .with_admin()
        .with_agent("agent")
        .with_viewer("viewer")
        .build()
        .await;
    let root = app.admin().id;
    for who in ["agent", "viewer"] {
        let client = app.as_(app.user(who));
        assert_eq!(
            client.users().await.error_code(403),
            ErrorCode::Forbidden,
            "{who}"
        );
        assert_eq!(
            client.user(root).await.error_code(403),
            ErrorCode::Forbidden
        );
        let create = client
            .create_user(
                &json!({"username": "x-user", "password": "a long passphrase", "role": "admin"}),
            )
            .await;
        assert_eq!(create.error_code(403), ErrorCode::Forbidden);
        let demote = client.update_user(root, &json!({"active": false})).await;
        assert_eq!(demote.error_code(403), ErrorCode::Forbidden);
    }
}

#[actix_web::test]
async fn an_unknown_user_is_a_404() {
    let app = TestApp::builder().with_admin().build().await;
    let admin = app.as_(app.admin());
    assert_eq!(admin.user(999).await.error_code(404), ErrorCode::NotFound);
    assert_eq!(
        admin
            .update_user(999, &json!({"active": false}))
            .await
            .error_code(404),
        ErrorCode::NotFound
    );
}

#[actix_web::test]
async fn two_admins_demoting_each_other_at_the_same_moment_leave_one_admin() {
    let app = TestApp::builder().build().await;
    for round in 0..10 {
        let a = app.seed_user(&format!("ann-{round}"), Role::Admin).await;
        let b = app.seed_user(&format!("ben-{round}"), Role::Admin).await;
        // The previous round's survivor steps down, so ann and ben are the only admins.
        if round > 0 {
            let survivor = app.store.list_users().await.unwrap().into_iter().find(|u| {
                u.id != a.user_id() && u.id != b.user_id() && u.role == Role::Admin && u.active
            });
            let survivor = survivor.unwrap();
            app.as_(&a)
                .update_user(survivor.id.0, &json!({"role": "agent"}))
                .await
                .expect(200);
        }
        let (as_a, as_b) = (app.as_(&a), app.as_(&b));
        let (demote, deactivate) = (json!({"role": "viewer"}), json!({"active": false}));
        let (by_a, by_b) = futures_util::join!(
            as_a.update_user(b.id, &demote),
            as_b.update_user(a.id, &deactivate),
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
                refused,
                (409, Some(ErrorCode::LastAdmin))
                    | (403, Some(ErrorCode::Forbidden))
                    | (401, Some(ErrorCode::InvalidToken))
            ),
            "round {round}: {outcomes:?}"
        );
        assert_eq!(app.store.count_active_admins().await.unwrap(), 1);
    }
}

#[actix_web::test]
async fn the_last_active_admin_cannot_be_demoted_or_deactivated() {
    let app = TestApp::builder().with_admin().build().await;
    let admin = app.as_(app.admin());
    let root = app.admin().id;
    assert_eq!(
        admin
            .update_user(root, &json!({"role": "agent"}))
            .await
            .error_code(409),
        ErrorCode::LastAdmin
    );
    assert_eq!(
        admin
            .update_user(root, &json!({"active": false}))
            .await
            .error_code(409),
        ErrorCode::LastAdmin
    );

    // With a second admin, the first may step down.
    app.seed_user("second", Role::Admin).await;
    admin
        .update_user(root, &json!({"role": "agent"}))
        .await
        .expect(200);
}

#[actix_web::test]
async fn an_admin_password_reset_signs_the_user_out_everywhere() {
    let app = TestApp::builder()
        .with_admin()
        .with_agent("ana")
        .build()
        .await;
    let admin = app.as_(app.admin());
    let ana = app.user("ana");

    let weak = admin
        .update_user(ana.id, &json!({"password": "short"}))
        .await;
    assert_eq!(weak.error_code(422), ErrorCode::ValidationFailed);

    admin
        .update_user(ana.id, &json!({"password": "reset by admin"}))
        .await
        .expect(200);
    assert_eq!(
        app.as_(ana).me().await.error_code(401),
        ErrorCode::InvalidToken
    );
    assert_eq!(app.sign_in("ana", PASSWORD).await.status.as_u16(), 401);
    app.sign_in("ana", "reset by admin").await.expect(200);
}
