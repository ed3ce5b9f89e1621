//! Business numbers and memberships: admins manage, members see, outsiders see nothing.

use serde_json::json;
use switchboard_domain::users::model::Role;

use crate::common::{TestApp, delete, get, login, patch, post, put, send};

fn new_number(phone: &str, id: &str) -> serde_json::Value {
    json!({"name": "Support", "display_phone_number": phone, "phone_number_id": id, "waba_id": "102290129340398"})
}

#[actix_web::test]
async fn an_admin_connects_and_changes_business_numbers() {
    let t = TestApp::new();
    t.user("root", Role::Admin).await;
    let app = t.service().await;
    let (admin, _) = login(&app, "root").await;

    let created = send(
        &app,
        post(
            "/api/v1/business-numbers",
            &admin,
            new_number("+1 (555) 010-0002", "106540352242922"),
        ),
    )
    .await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.body);
    assert_eq!(created.body["display_phone_number"], "+15550100002");
    assert_eq!(created.body["phone_number_id"], "106540352242922");
    assert_eq!(created.body["waba_id"], "102290129340398");
    let id = created.body["id"].as_i64().unwrap();

    let renamed = send(
        &app,
        patch(
            &format!("/api/v1/business-numbers/{id}"),
            &admin,
            json!({"name": "Sales"}),
        ),
    )
    .await;
    assert_eq!(renamed.status.as_u16(), 200);
    assert_eq!(renamed.body["name"], "Sales");
    assert_eq!(
        renamed.body["waba_id"], "102290129340398",
        "absent fields stay"
    );

    let cleared = send(
        &app,
        patch(
            &format!("/api/v1/business-numbers/{id}"),
            &admin,
            json!({"waba_id": null}),
        ),
    )
    .await;
    assert_eq!(cleared.body["waba_id"], serde_json::Value::Null);

    let listed = send(&app, get("/api/v1/business-numbers", &admin)).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn duplicate_numbers_and_ids_are_409() {
    let t = TestApp::new();
    t.user("root", Role::Admin).await;
    let app = t.service().await;
    let (admin, _) = login(&app, "root").await;
    send(
        &app,
        post(
            "/api/v1/business-numbers",
            &admin,
            new_number("+15550100002", "111"),
        ),
    )
    .await;
    let same_phone = send(
        &app,
        post(
            "/api/v1/business-numbers",
            &admin,
            new_number("+15550100002", "222"),
        ),
    )
    .await;
    assert_eq!(same_phone.error(409), "business_number_exists");
    assert!(
        same_phone.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("display_phone_number")
    );
    let same_id = send(
        &app,
        post(
            "/api/v1/business-numbers",
            &admin,
            new_number("+15550100003", "111"),
        ),
    )
    .await;
    assert_eq!(same_id.error(409), "business_number_exists");
    assert!(
        same_id.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("phone_number_id")
    );

    let other = send(
        &app,
        post(
            "/api/v1/business-numbers",
            &admin,
            new_number("+15550100003", "333"),
        ),
    )
    .await;
    let other_id = other.body["id"].as_i64().unwrap();
    let clash = send(
        &app,
        patch(
            &format!("/api/v1/business-numbers/{other_id}"),
            &admin,
            json!({"phone_number_id": "111"}),
        ),
    )
    .await;
    assert_eq!(clash.error(409), "business_number_exists");
}

#[actix_web::test]
async fn invalid_number_fields_are_422() {
    let t = TestApp::new();
    t.user("root", Role::Admin).await;
    let app = t.service().await;
    let (admin, _) = login(&app, "root").await;
    let reply = send(
        &app,
        post(
            "/api/v1/business-numbers",
            &admin,
            json!({"name": "", "display_phone_number": "5550100", "phone_number_id": "abc", "waba_id": "x"}),
        ),
    )
    .await;
    assert_eq!(reply.error(422), "validation_failed");
    let fields: Vec<_> = reply.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].clone())
        .collect();
    assert_eq!(
        fields,
        [
            json!("name"),
            json!("display_phone_number"),
            json!("phone_number_id"),
            json!("waba_id")
        ]
    );
}

#[actix_web::test]
async fn members_see_their_numbers_and_outsiders_get_404() {
    let t = TestApp::new();
    t.user("root", Role::Admin).await;
    let agent = t.user("agent", Role::Agent).await;
    let viewer = t.user("viewer", Role::Viewer).await;
    t.user("outsider", Role::Agent).await;
    let support = t.number("Support", "+15550100002", "111").await;
    let sales = t.number("Sales", "+15550100003", "222").await;
    t.member(support, agent).await;
    t.member(support, viewer).await;
    let app = t.service().await;

    for who in ["agent", "viewer"] {
        let (token, _) = login(&app, who).await;
        let listed = send(&app, get("/api/v1/business-numbers", &token)).await;
        let ids: Vec<_> = listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, [support.0], "{who}");
        assert_eq!(
            send(
                &app,
                get(&format!("/api/v1/business-numbers/{support}"), &token)
            )
            .await
            .status
            .as_u16(),
            200
        );
        assert_eq!(
            send(
                &app,
                get(&format!("/api/v1/business-numbers/{sales}"), &token)
            )
            .await
            .error(404),
            "not_found"
        );
        let members = send(
            &app,
            get(
                &format!("/api/v1/business-numbers/{support}/members"),
                &token,
            ),
        )
        .await;
        assert_eq!(members.body["items"].as_array().unwrap().len(), 2);
        assert_eq!(
            send(
                &app,
                get(&format!("/api/v1/business-numbers/{sales}/members"), &token)
            )
            .await
            .error(404),
            "not_found"
        );
    }

    let (outsider, _) = login(&app, "outsider").await;
    let listed = send(&app, get("/api/v1/business-numbers", &outsider)).await;
    assert_eq!(listed.body["items"], json!([]));
}

#[actix_web::test]
async fn only_admins_manage_numbers_and_members() {
    let t = TestApp::new();
    t.user("root", Role::Admin).await;
    let agent = t.user("agent", Role::Agent).await;
    let viewer = t.user("viewer", Role::Viewer).await;
    let support = t.number("Support", "+15550100002", "111").await;
    let sales = t.number("Sales", "+15550100003", "222").await;
    t.member(support, agent).await;
    t.member(support, viewer).await;
    let app = t.service().await;

    for who in ["agent", "viewer"] {
        let (token, _) = login(&app, who).await;
        let create = post(
            "/api/v1/business-numbers",
            &token,
            new_number("+15550100009", "999"),
        );
        assert_eq!(send(&app, create).await.error(403), "forbidden", "{who}");
        // Visible number: forbidden; invisible number: not found.
        let rename = patch(
            &format!("/api/v1/business-numbers/{support}"),
            &token,
            json!({"name": "x"}),
        );
        assert_eq!(send(&app, rename).await.error(403), "forbidden");
        let rename = patch(
            &format!("/api/v1/business-numbers/{sales}"),
            &token,
            json!({"name": "x"}),
        );
        assert_eq!(send(&app, rename).await.error(404), "not_found");
        let add = put(
            &format!("/api/v1/business-numbers/{support}/members/{agent}"),
            &token,
        );
        assert_eq!(send(&app, add).await.error(403), "forbidden");
        let remove = delete(
            &format!("/api/v1/business-numbers/{support}/members/{viewer}"),
            &token,
        );
        assert_eq!(send(&app, remove).await.error(403), "forbidden");
    }
}

#[actix_web::test]
async fn an_admin_adds_and_removes_members_idempotently() {
    let t = TestApp::new();
    t.user("root", Role::Admin).await;
    let agent = t.user("agent", Role::Agent).await;
    let support = t.number("Support", "+15550100002", "111").await;
    let app = t.service().await;
    let (admin, _) = login(&app, "root").await;
    let member = format!("/api/v1/business-numbers/{support}/members/{agent}");

    assert_eq!(send(&app, put(&member, &admin)).await.status.as_u16(), 201);
    assert_eq!(send(&app, put(&member, &admin)).await.status.as_u16(), 204);
    let members = send(
        &app,
        get(
            &format!("/api/v1/business-numbers/{support}/members"),
            &admin,
        ),
    )
    .await;
    assert_eq!(members.body["items"][0]["user"]["username"], "agent");
    assert!(members.body["items"][0]["added_at"].is_string());

    let (agent_token, _) = login(&app, "agent").await;
    assert_eq!(
        send(
            &app,
            get(&format!("/api/v1/business-numbers/{support}"), &agent_token)
        )
        .await
        .status
        .as_u16(),
        200
    );

    assert_eq!(
        send(&app, delete(&member, &admin)).await.status.as_u16(),
        204
    );
    assert_eq!(
        send(&app, delete(&member, &admin)).await.error(404),
        "not_a_member"
    );
    assert_eq!(
        send(
            &app,
            get(&format!("/api/v1/business-numbers/{support}"), &agent_token)
        )
        .await
        .error(404),
        "not_found",
        "membership removal takes effect at once"
    );

    let ghost = format!("/api/v1/business-numbers/{support}/members/999");
    assert_eq!(
        send(&app, put(&ghost, &admin)).await.error(404),
        "user_not_found"
    );
    let no_number = format!("/api/v1/business-numbers/999/members/{agent}");
    assert_eq!(
        send(&app, put(&no_number, &admin)).await.error(404),
        "not_found"
    );
}
