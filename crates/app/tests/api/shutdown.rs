//! A graceful shutdown, as SIGTERM begins it: live streams are ended by the server (so their
//! clients reconnect at once) rather than cut off after the drain, and the instance stops
//! accepting connections.

use crate::common::{PASSWORD, sign_in_over_http, spawn_server};

#[actix_web::test]
async fn a_shutdown_ends_live_streams_cleanly_and_stops_accepting_connections() {
    let dir = tempfile::tempdir().unwrap();
    let spawned = spawn_server(dir.path(), Some(PASSWORD)).await;
    let http = reqwest::Client::new();
    let token = sign_in_over_http(&http, &spawned.base, "admin", PASSWORD).await;
    let mut streams = Vec::new();
    for _ in 0..3 {
        let stream = http
            .get(format!("{}/api/v1/events", spawned.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(stream.status().as_u16(), 200);
        streams.push(stream);
    }

    spawned.shutdown.begin().await;

    for stream in streams {
        let body = stream.bytes().await;
        assert!(
            body.is_ok(),
            "a live stream ended by the server, not cut off: {body:?}"
        );
    }
    assert!(
        http.get(format!("{}/healthz", spawned.base))
            .send()
            .await
            .is_err(),
        "a stopped instance accepts no connections"
    );
}
