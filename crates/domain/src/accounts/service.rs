//! Signing in and out, token refresh with rotation, access-token authentication and password
//! changes.

use std::sync::Arc;

use chrono::Duration;
use thiserror::Error;

use crate::Timestamp;
use crate::accounts::model::{
    AccessToken, LockoutPolicy, NewRefreshToken, RefreshToken, Rotation, SessionId, TokenLifetimes,
};
use crate::accounts::ports::{
    AccessTokenCodec, AttemptBudget, LoginAttemptRepository, PasswordHasher, SessionRepository,
    SessionSecrets,
};
use crate::clock::Clock;
use crate::error::{CryptoError, RepoError};
use crate::users::model::{Password, User, username_key};
use crate::users::ports::UserRepository;

/// The ports account use cases need.
#[derive(Clone)]
pub struct AccountPorts {
    pub users: Arc<dyn UserRepository>,
    pub sessions: Arc<dyn SessionRepository>,
    pub attempts: Arc<dyn LoginAttemptRepository>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub tokens: Arc<dyn AccessTokenCodec>,
    pub secrets: Arc<dyn SessionSecrets>,
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for AccountPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountPorts").finish_non_exhaustive()
    }
}

/// Account use cases.
#[derive(Clone)]
pub struct Accounts {
    ports: AccountPorts,
    lifetimes: TokenLifetimes,
    lockout: LockoutPolicy,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts")
            .field("lifetimes", &self.lifetimes)
            .field("lockout", &self.lockout)
            .finish_non_exhaustive()
    }
}

/// A successful sign-in or refresh.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub access: AccessToken,
    pub refresh: RefreshToken,
    pub refresh_expires_at: Timestamp,
    pub user: User,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum LoginError {
    /// Unknown username or wrong password; deliberately indistinguishable.
    #[error("invalid username or password")]
    InvalidCredentials,
    /// Too many recent failures for this username.
    #[error("too many failed logins; retry in {} s", retry_after.num_seconds())]
    LockedOut { retry_after: Duration },
    /// The password was right but the account is deactivated.
    #[error("this account is deactivated")]
    Deactivated,
    /// Hashing or signing failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error(transparent)]
    Store(#[from] RepoError),
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum RefreshError {
    /// Unknown, expired or revoked refresh token.
    #[error("the refresh token is invalid or expired")]
    InvalidToken,
    /// A spent refresh token was presented again; its whole session is now revoked.
    #[error("the refresh token was already used; the session has been revoked")]
    Reused,
    /// Hashing or signing failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error(transparent)]
    Store(#[from] RepoError),
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum AuthenticateError {
    /// Missing, malformed, forged or expired access token, revoked session or inactive user.
    #[error("the access token is invalid or expired")]
    InvalidToken,
    #[error(transparent)]
    Store(#[from] RepoError),
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ChangePasswordError {
    #[error("the current password is wrong")]
    WrongPassword,
    /// Hashing or signing failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error(transparent)]
    Store(#[from] RepoError),
}

/// Who is calling, as established from an access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user: User,
    pub session_id: SessionId,
}

impl Accounts {
    pub fn new(ports: AccountPorts, lifetimes: TokenLifetimes, lockout: LockoutPolicy) -> Self {
        Self {
            ports,
            lifetimes,
            lockout,
        }
    }

    /// Signs a user in by username and password.
    ///
    /// # Errors
    /// [`LoginError::LockedOut`] once the username's attempts in the window are spent: each
    /// attempt is counted before its password is checked, so at most the policy's number of
    /// passwords is ever checked per window, however many guesses arrive at once, and a locked
    /// account cannot be probed; [`LoginError::InvalidCredentials`] for an unknown user or wrong
    /// password, after the same hashing work either way; [`LoginError::Deactivated`] for a
    /// right password on a deactivated account (the attempt still counts).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn login(&self, username: &str, password: &str) -> Result<SignedIn, LoginError> {
        let p = &self.ports;
        let key = username_key(username);
        let now = p.clock.now();
        if let Some(retry_after) = self.take_attempt(&key, now).await? {
            return Err(LoginError::LockedOut { retry_after });
        }

        let credentials = p.users.find_credentials(&key).await?;
        let verified = match &credentials {
            Some(c) => p.hasher.verify(password, &c.password_hash).await,
            None => {
                p.hasher.verify_dummy(password).await;
                false
            }
        };
        // A failed attempt stays recorded as the failure it is.
        let Some(credentials) = credentials.filter(|_| verified) else {
            return Err(LoginError::InvalidCredentials);
        };
        if !credentials.user.active {
            return Err(LoginError::Deactivated);
        }
        p.attempts.clear_failures(&key).await?;

        let session_id = p.secrets.new_session_id();
        let (refresh, digest) = p.secrets.new_refresh_token();
        let refresh_expires_at = now + self.lifetimes.refresh;
        p.sessions
            .start_session(
                NewRefreshToken {
                    digest,
                    session_id: session_id.clone(),
                    user_id: credentials.user.id,
                    expires_at: refresh_expires_at,
                },
                now,
            )
            .await?;
        let access = p.tokens.issue(credentials.user.id, &session_id, now)?;
        Ok(SignedIn {
            access,
            refresh,
            refresh_expires_at,
            user: credentials.user,
        })
    }

    /// Takes an attempt from the username's budget: `None` when granted, or how long the
    /// username stays locked.
    async fn take_attempt(&self, key: &str, now: Timestamp) -> Result<Option<Duration>, RepoError> {
        if self.lockout.max_failures == 0 {
            return Ok(None);
        }
        let budget = self
            .ports
            .attempts
            .begin_attempt(
                key,
                now,
                self.lockout.window_start(now),
                self.lockout.max_failures,
            )
            .await?;
        Ok(match budget {
            AttemptBudget::Granted => None,
            // The limit is reached, so the policy always names a wait; at least a second.
            AttemptBudget::Spent { attempts } => Some(
                self.lockout
                    .locked_for(&attempts, now)
                    .unwrap_or_else(|| Duration::seconds(1)),
            ),
        })
    }

    /// Exchanges a refresh token for a new pair; the presented token is spent.
    ///
    /// # Errors
    /// [`RefreshError::Reused`] if the token had been spent before (its session is revoked);
    /// [`RefreshError::InvalidToken`] if it is unknown, expired, revoked, or its user is
    /// deactivated.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn refresh(&self, presented: &str) -> Result<SignedIn, RefreshError> {
        let p = &self.ports;
        let now = p.clock.now();
        let (refresh, digest) = p.secrets.new_refresh_token();
        let refresh_expires_at = now + self.lifetimes.refresh;
        let rotation = p
            .sessions
            .rotate(
                &p.secrets.digest(presented),
                &digest,
                refresh_expires_at,
                now,
            )
            .await?;
        let (user_id, session_id) = match rotation {
            Rotation::Rotated {
                user_id,
                session_id,
            } => (user_id, session_id),
            Rotation::Reused { .. } => return Err(RefreshError::Reused),
            Rotation::Invalid => return Err(RefreshError::InvalidToken),
        };
        let user = match p.users.get_user(user_id).await {
            Ok(user) if user.active => user,
            Ok(_) | Err(RepoError::NotFound) => return Err(RefreshError::InvalidToken),
            Err(e) => return Err(e.into()),
        };
        let access = p.tokens.issue(user.id, &session_id, now)?;
        Ok(SignedIn {
            access,
            refresh,
            refresh_expires_at,
            user,
        })
    }

    /// Ends the session the refresh token belongs to. Unknown tokens are ignored, so the
    /// answer tells nothing about a token.
    ///
    /// # Errors
    /// Storage failures only.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn logout(&self, presented: &str) -> Result<(), RepoError> {
        let p = &self.ports;
        p.sessions
            .revoke_by_token(&p.secrets.digest(presented), p.clock.now())
            .await
    }

    /// The caller behind an access token. Checks the token and then the store, so a revoked
    /// session or a deactivated user is refused at once, and the role is always current.
    ///
    /// # Errors
    /// [`AuthenticateError::InvalidToken`] for any token that does not identify an active
    /// user in a live session.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn authenticate(&self, token: &str) -> Result<Principal, AuthenticateError> {
        let claims = self
            .ports
            .tokens
            .verify(token)
            .ok_or(AuthenticateError::InvalidToken)?;
        let user = self
            .ports
            .sessions
            .active_session_user(claims.user_id, &claims.session_id)
            .await?
            .ok_or(AuthenticateError::InvalidToken)?;
        Ok(Principal {
            user,
            session_id: claims.session_id,
        })
    }

    /// Changes the caller's own password and signs out their other sessions.
    ///
    /// # Errors
    /// [`ChangePasswordError::WrongPassword`] if `current` does not match.
    #[tracing::instrument(level = "debug", skip_all, fields(user = principal.user.id.0))]
    pub async fn change_password(
        &self,
        principal: &Principal,
        current: &str,
        new: &Password,
    ) -> Result<(), ChangePasswordError> {
        let p = &self.ports;
        let hash = p.users.password_hash(principal.user.id).await?;
        if !p.hasher.verify(current, &hash).await {
            return Err(ChangePasswordError::WrongPassword);
        }
        let new_hash = p.hasher.hash(new).await?;
        p.sessions
            .change_password(
                principal.user.id,
                new_hash,
                &principal.session_id,
                p.clock.now(),
            )
            .await?;
        Ok(())
    }
}
