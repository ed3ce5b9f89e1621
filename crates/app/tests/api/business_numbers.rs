//! Business numbers and memberships: admins manage, members see, outsiders see nothing.

use serde_json::json;
use switchboard_http::ErrorCode;

use crate::common::TestApp;
use crate::harness::{SALES, SUPPORT, Transport};

fn new_number(phone: &str, id: &str) -> serde_json::Value {
    json!({"name": "Support", "display_phone_number": phone, "phone_number_id": id, "waba_id": "102290129340398"})
}

#[actix_web::test]
async fn an_admin_connects_and_changes_business_numbers() {
    let app = TestApp::builder().with_admin().build().await;
    let admin = app.as_(app.admin());

    let created = admin
        .create_number(&new_number("+1 (555) 010-0002", "106540352242922"))
        .await
        .expect(201);
    assert_eq!(created.display_phone_number, "+15550100002");
    assert_eq!(created.phone_number_id, "106540352242922");
    assert_eq!(created.waba_id.as_deref(), Some("102290129340398"));
    let id = created.id;

    let renamed = admin
        .update_number(id, &json!({"name": "Sales"}))
        .await
        .expect(200);
    assert_eq!(renamed.name, "Sales");
    assert_eq!(
        renamed.waba_id.as_deref(),
        Some("102290129340398"),
        "absent fields stay"
    );

    let cleared = admin
        .update_number(id, &json!({"waba_id": null}))
        .await
        .ok();
    assert_eq!(cleared.waba_id, None);

    assert_eq!(admin.numbers().await.ok().items.len(), 1);
}

#[actix_web::test]
async fn duplicate_numbers_and_ids_are_409() {
    let app = TestApp::builder().with_admin().build().await;
    let admin = app.as_(app.admin());
    admin
        .create_number(&new_number("+15550100002", "111"))
        .await
        .expect(201);

    let same_phone = admin
        .create_number(&new_number("+15550100002", "222"))
        .await;
    assert_eq!(same_phone.error_code(409), ErrorCode::BusinessNumberExists);
    assert!(
        same_phone
            .error()
            .error
            .message
            .contains("display_phone_number")
    );
    let same_id = admin
        .create_number(&new_number("+15550100003", "111"))
        .await;
    assert_eq!(same_id.error_code(409), ErrorCode::BusinessNumberExists);
    assert!(same_id.error().error.message.contains("phone_number_id"));

    let other = admin
        .create_number(&new_number("+15550100003", "333"))
        .await
        .expect(201);
    let clash = admin
        .update_number(other.id, &json!({"phone_number_id": "111"}))
        .await;
    assert_eq!(clash.error_code(409), ErrorCode::BusinessNumberExists);
}

#[actix_web::test]
async fn invalid_number_fields_are_422() {
    let app = TestApp::builder().with_admin().build().await;
    let reply = app
        .as_(app.admin())
        .create_number(&json!({"name": "", "display_phone_number": "5550100", "phone_number_id": "abc", "waba_id": "x"}))
        .await;
    assert_eq!(reply.error_code(422), ErrorCode::ValidationFailed);
    let fields: Vec<_> = reply
        .error()
        .error
        .details
        .into_iter()
        .map(|d| d.field)
        .collect();
    assert_eq!(
        fields,
        ["name", "display_phone_number", "phone_number_id", "waba_id"]
    );
}

#[actix_web::test]
async fn members_see_their_numbers_and_outsiders_get_404() {
    let app = TestApp::builder()
        .with_admin()
        .with_number(SUPPORT)
        .with_number(SALES)
        .with_agent("agent")
        .member_of(SUPPORT)
        .with_viewer("viewer")
        .member_of(SUPPORT)
        .with_agent("outsider")
        .build()
        .await;
    let (support, sales) = (app.number(SUPPORT).id, app.number(SALES).id);

    for who in ["agent", "viewer"] {
        let client = app.as_(app.user(who));
        let ids: Vec<_> = client
            .numbers()
            .await
            .ok()
            .items
            .into_iter()
            .map(|n| n.id)
            .collect();
        assert_eq!(ids, [support], "{who}");
        assert_eq!(client.number(support).await.expect(200).id, support);
        assert_eq!(
            client.number(sales).await.error_code(404),
            ErrorCode::NotFound
        );
        assert_eq!(client.members(support).await.ok().items.len(), 2);
        assert_eq!(
            client.members(sales).await.error_code(404),
            ErrorCode::NotFound
        );
    }

    let outsider = app.as_(app.user("outsider"));
    assert!(outsider.numbers().await.ok().items.is_empty());
}

#[actix_web::test]
async fn only_admins_manage_numbers_and_members() {
    let app = TestApp::builder()
        .with_admin()
        .with_number(SUPPORT)
        .with_number(SALES)
        .with_agent("agent")
        .member_of(SUPPORT)
        .with_viewer("viewer")
        .member_of(SUPPORT)
        .build()
        .await;
    let (support, sales) = (app.number(SUPPORT).id, app.number(SALES).id);
    let (agent, viewer) = (app.user("agent").id, app.user("viewer").id);

    for who in ["agent", "viewer"] {
        let client = app.as_(app.user(who));
        let create = client
            .create_number(&new_number("+15550100009", "999"))
            .await;
        assert_eq!(create.error_code(403), ErrorCode::Forbidden, "{who}");
        // Visible number: forbidden; invisible number: not found.
        let rename = client.update_number(support, &json!({"name": "x"})).await;
        assert_eq!(rename.error_code(403), ErrorCode::Forbidden);
        let rename = client.update_number(sales, &json!({"name": "x"})).await;
        assert_eq!(rename.error_code(404), ErrorCode::NotFound);
        let add = client.add_member(support, agent).await;
        assert_eq!(add.error_code(403), ErrorCode::Forbidden);
        let remove = client.remove_member(support, viewer).await;
        assert_eq!(remove.error_code(403), ErrorCode::Forbidden);
    }
}

#[actix_web::test]
async fn an_admin_adds_and_removes_members_idempotently() {
    let app = TestApp::builder()
        .with_admin()
        .with_number(SUPPORT)
        .with_agent("agent")
        .build()
        .await;
    let admin = app.as_(app.admin());
    let as_agent = app.as_(app.user("agent"));
    let (support, agent) = (app.number(SUPPORT).id, app.user("agent").id);

    admin.add_member(support, agent).await.expect(201);
    admin.add_member(support, agent).await.expect(204);
    let members = admin.members(support).await.ok().items;
    assert_eq!(members[0].user.username, "agent");
    // `added_at` is read as a timestamp: the typed read fails when it is missing or no date.
    assert!(members[0].added_at <= chrono::Utc::now());

    as_agent.number(support).await.expect(200);

    admin.remove_member(support, agent).await.expect(204);
    assert_eq!(
        admin.remove_member(support, agent).await.error_code(404),
        ErrorCode::NotAMember
    );
    assert_eq!(
        as_agent.number(support).await.error_code(404),
        ErrorCode::NotFound,
        "membership removal takes effect at once"
    );

    assert_eq!(
        admin.add_member(support, 999).await.error_code(404),
        ErrorCode::UserNotFound
    );
    assert_eq!(
        admin.add_member(999, agent).await.error_code(404),
        ErrorCode::NotFound
    );
}
