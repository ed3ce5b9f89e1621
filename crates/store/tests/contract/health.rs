//! [`HealthCheck`](switchboard_domain::health::HealthCheck): the readiness probe's question to
//! the database.

use super::backend;

#[tokio::test]
async fn a_migrated_database_answers_the_ping() {
    let Some(b) = backend().await else { return };
    b.health.ping().await.unwrap();
}
