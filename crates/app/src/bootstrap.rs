//! First run: the initial admin, and in mock mode a demo business number to try things on.

use switchboard_auth::random_hex;
use switchboard_domain::error::RepoError;
use switchboard_domain::numbers::model::{
    BusinessNumber, E164, InboxName, MetaId, NewBusinessNumber,
};
use switchboard_domain::numbers::ports::BusinessNumberRepository;
use switchboard_domain::users::model::{
    DisplayName, NewUser, Password, Role, Username, username_key,
};
use switchboard_domain::users::ports::UserRepository;
use switchboard_domain::users::service::{UserAdmin, UserAdminError};
use switchboard_simulator::mock::DEMO_NUMBER;
use switchboard_store::Store;

use crate::config::{Config, WhatsAppProvider};

/// What the bootstrap did, for `main` to tell the operator once.
#[derive(Debug, Default)]
pub struct BootstrapReport {
    pub admin: Option<CreatedAdmin>,
    pub demo_number: Option<BusinessNumber>,
}

#[derive(Debug)]
pub struct CreatedAdmin {
    pub username: String,
    /// Set when no password was configured: shown once, never stored in clear.
    pub generated_password: Option<String>,
    /// The configured password is below the policy (fine for `admin`/`admin` locally only).
    pub weak_password: bool,
}

/// Creates the admin when there are no users, and in mock mode the demo number when there are
/// no numbers. Safe to run on every start and from several instances at once.
///
/// # Errors
/// Storage failures.
pub async fn run(
    config: &Config,
    store: &Store,
    users: &UserAdmin,
) -> anyhow::Result<BootstrapReport> {
    let mut report = BootstrapReport::default();
    if store.count_users().await? == 0 {
        let generated = config.admin_password.is_none().then(|| random_hex(12));
        let password = Password::from_operator(
            config
                .admin_password
                .as_deref()
                .or(generated.as_deref())
                .unwrap_or_default(),
        );
        let weak_password = !password.meets_policy();
        let new = NewUser {
            username: Username::parse(&config.admin_username)?,
            display_name: DisplayName::parse("Administrator")?,
            role: Role::Admin,
            password,
        };
        match users.create_unchecked(new).await {
            Ok(user) => {
                report.admin = Some(CreatedAdmin {
                    username: user.username,
                    generated_password: generated,
                    weak_password,
                });
            }
            // Another instance bootstrapped at the same moment.
            Err(UserAdminError::UsernameTaken) => {}
            Err(e) => return Err(e.into()),
        }
    }

    if config.whatsapp_provider == WhatsAppProvider::Mock && store.list_numbers().await?.is_empty()
    {
        let created = store
            .create_number(
                NewBusinessNumber {
                    name: InboxName::parse(DEMO_NUMBER.name)?,
                    display_phone_number: E164::parse(
                        "display_phone_number",
                        DEMO_NUMBER.display_phone_number,
                    )?,
                    phone_number_id: MetaId::parse("phone_number_id", DEMO_NUMBER.phone_number_id)?,
                    waba_id: Some(MetaId::parse("waba_id", DEMO_NUMBER.waba_id)?),
                },
                chrono::Utc::now(),
            )
            .await;
        let number = match created {
            Ok(number) => number,
            // Another instance bootstrapped at the same moment, and made it a member.
            Err(RepoError::Conflict(_)) => return Ok(report),
            Err(e) => return Err(e.into()),
        };
        if let Some(admin) = store
            .find_credentials(&username_key(&config.admin_username))
            .await?
        {
            store
                .add_member(number.id, admin.user.id, chrono::Utc::now())
                .await?;
        }
        report.demo_number = Some(number);
    }
    Ok(report)
}
