//! Authorization: who may do what (design guide §3). Pure functions over the caller's role
//! and memberships, so every rule is tested here rather than in handlers.
//!
//! A resource the caller may not see is reported as not found (404), never as forbidden, so
//! its existence does not leak; an action on a resource the caller *can* see but may not
//! change is forbidden (403).

pub mod visibility;

use crate::users::model::{Role, User, UserId};

/// The authenticated caller of a use case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub role: Role,
}

impl From<&User> for Actor {
    fn from(user: &User) -> Self {
        Self {
            user_id: user.id,
            role: user.role,
        }
    }
}

/// How the caller stands to one business number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Not visible: answer as if it did not exist.
    Hidden,
    /// Visible; may read its conversations but change nothing.
    Read,
    /// May work its conversations (reply, assign, change status).
    Work,
    /// May also change its settings and members.
    Manage,
}

impl Actor {
    /// Whether the caller may manage users and business numbers.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// The caller's access to a business number, given whether they are one of its members.
    /// Admins manage every number whether or not they are members.
    pub fn access_to_number(&self, is_member: bool) -> Access {
        match (self.role, is_member) {
            (Role::Admin, _) => Access::Manage,
            (Role::Agent, true) => Access::Work,
            (Role::Viewer, true) => Access::Read,
            (Role::Agent | Role::Viewer, false) => Access::Hidden,
        }
    }
}

impl Access {
    pub fn can_read(self) -> bool {
        self != Access::Hidden
    }

    pub fn can_work(self) -> bool {
        matches!(self, Access::Work | Access::Manage)
    }

    pub fn can_manage(self) -> bool {
        self == Access::Manage
    }

    /// The wider of two accesses (a user may reach one contact through several numbers).
    pub fn max_with(self, other: Access) -> Access {
        fn rank(a: Access) -> u8 {
            match a {
                Access::Hidden => 0,
                Access::Read => 1,
                Access::Work => 2,
                Access::Manage => 3,
            }
        }
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: UserId(1),
            role,
        }
    }

    #[test]
    fn only_admins_administer() {
        assert!(actor(Role::Admin).is_admin());
        assert!(!actor(Role::Agent).is_admin());
        assert!(!actor(Role::Viewer).is_admin());
    }

    #[test]
    fn admin_manages_every_number_member_or_not() {
        for member in [true, false] {
            let access = actor(Role::Admin).access_to_number(member);
            assert!(access.can_read() && access.can_work() && access.can_manage());
        }
    }

    #[test]
    fn agent_works_only_numbers_they_belong_to() {
        let member = actor(Role::Agent).access_to_number(true);
        assert!(member.can_read() && member.can_work() && !member.can_manage());
        let outsider = actor(Role::Agent).access_to_number(false);
        assert_eq!(outsider, Access::Hidden);
        assert!(!outsider.can_read() && !outsider.can_work());
    }

    #[test]
    fn viewer_reads_member_numbers_and_changes_nothing() {
        let member = actor(Role::Viewer).access_to_number(true);
        assert!(member.can_read() && !member.can_work() && !member.can_manage());
        assert_eq!(actor(Role::Viewer).access_to_number(false), Access::Hidden);
    }
}
