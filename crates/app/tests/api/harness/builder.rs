//! `TestApp::builder()`: what to seed, then an in-process app or a spawned server with it.

use switchboard_domain::users::model::Role;

use super::in_process::InProcess;
use super::seed::{NumberSpec, UserSpec};
use super::spawned::Server;
use crate::common::TestApp;

/// Users and business numbers to seed before the test starts.
#[derive(Debug, Default)]
#[must_use]
pub struct TestAppBuilder {
    pub(super) numbers: Vec<NumberSpec>,
    pub(super) users: Vec<UserSpec>,
}

impl TestApp {
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder::default()
    }
}

impl TestAppBuilder {
    /// An admin called `root`.
    pub fn with_admin(self) -> Self {
        self.with_user("root", Role::Admin)
    }

    pub fn with_agent(self, username: &str) -> Self {
        self.with_user(username, Role::Agent)
    }

    pub fn with_viewer(self, username: &str) -> Self {
        self.with_user(username, Role::Viewer)
    }

    /// A user with [`crate::common::PASSWORD`], member of no number yet.
    pub fn with_user(mut self, username: &str, role: Role) -> Self {
        self.users.push(UserSpec {
            username: username.to_owned(),
            role,
            member_of: Vec::new(),
        });
        self
    }

    /// Makes the user added last a member of `number` (which must be seeded too).
    pub fn member_of(mut self, number: NumberSpec) -> Self {
        let user = self
            .users
            .last_mut()
            .expect("member_of follows a with_agent, with_viewer or with_user");
        user.member_of.push(number);
        self
    }

    pub fn with_number(mut self, number: NumberSpec) -> Self {
        self.numbers.push(number);
        self
    }

    /// The application in-process, on a fresh database, with a scripted WhatsApp gateway.
    pub async fn build(self) -> InProcess {
        InProcess::seed(self).await
    }

    /// The real server on a free loopback port, on a fresh data directory, seeded over HTTP
    /// by the first-run admin.
    pub async fn spawn(self) -> Server {
        Server::seed(self).await
    }
}
