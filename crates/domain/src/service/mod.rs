//! Use cases. Each service holds the ports it needs and returns one error enum per use case.

mod accounts;
mod business_numbers;
mod dispatcher;
mod media;
mod messaging;
mod outbound_media;
mod users;

pub use accounts::{
    AccountPorts, Accounts, AuthenticateError, ChangePasswordError, LoginError, Principal,
    RefreshError, SignedIn,
};
pub use business_numbers::{BusinessNumberError, BusinessNumbers, MemberView};
pub use dispatcher::{DispatchReport, Dispatcher, RetryPolicy};
pub use media::{MediaFetcher, MediaReport, media_key};
pub use messaging::{
    AssigneeParam, ChangeSignal, InboxRequest, Messaging, MessagingError, MessagingPorts,
    OutboxSignal,
};
pub use users::{UserAdmin, UserAdminError};
