//! Membership roles. One place holds the rules; server functions enforce them and the UI
//! uses them only to hide what a person cannot do.

crate::text_enum! {
    /// A member's role in an organization, strongest first.
    pub enum Role {
        Owner = "owner",
        Admin = "admin",
        Member = "member",
        Viewer = "viewer",
    }
}

impl Role {
    fn rank(self) -> u8 {
        match self {
            Role::Owner => 3,
            Role::Admin => 2,
            Role::Member => 1,
            Role::Viewer => 0,
        }
    }

    /// Whether this role includes everything `required` may do.
    pub fn at_least(self, required: Role) -> bool {
        self.rank() >= required.rank()
    }

    /// Whether someone with this role may change or remove a member who holds `target`:
    /// owners manage everyone, admins manage admins, members and viewers, others nobody.
    pub fn can_manage(self, target: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Admin => target != Role::Owner,
            Role::Member | Role::Viewer => false,
        }
    }

    /// Whether someone with this role may move a member from `from` to `to`; `own` when the
    /// member is the actor. Only owners grant or revoke `owner`, and nobody raises their own
    /// role (stepping down is fine; the last-owner rule is checked against the database).
    pub fn can_change_role(self, from: Role, to: Role, own: bool) -> bool {
        if own && to.rank() > from.rank() {
            return false;
        }
        self.can_manage(from) && self.can_manage(to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_role() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("Owner"), None);
        assert_eq!(Role::parse("superuser"), None);
        assert_eq!(Role::parse(""), None);
    }

    #[test]
    fn tiers_are_ordered() {
        assert!(Role::Owner.at_least(Role::Admin));
        assert!(Role::Admin.at_least(Role::Member));
        assert!(Role::Member.at_least(Role::Viewer));
        assert!(!Role::Viewer.at_least(Role::Member));
        assert!(!Role::Admin.at_least(Role::Owner));
    }

    #[test]
    fn management_rules() {
        use Role::*;
        assert!(Owner.can_manage(Owner) && Owner.can_manage(Viewer));
        assert!(Admin.can_manage(Admin) && Admin.can_manage(Member) && !Admin.can_manage(Owner));
        assert!(!Member.can_manage(Viewer) && !Viewer.can_manage(Viewer));
        // Only owners grant or revoke owner.
        assert!(Owner.can_change_role(Member, Owner, false));
        assert!(!Admin.can_change_role(Member, Owner, false));
        assert!(!Admin.can_change_role(Owner, Member, false));
        assert!(Admin.can_change_role(Viewer, Admin, false));
        // Nobody raises their own role; stepping down is allowed.
        assert!(!Admin.can_change_role(Admin, Owner, true));
        assert!(!Member.can_change_role(Member, Admin, true));
        assert!(Owner.can_change_role(Owner, Member, true));
        assert!(Admin.can_change_role(Admin, Viewer, true));
        assert!(
            !Member.can_change_role(Member, Viewer, true),
            "members manage nobody"
        );
    }

    #[test]
    fn serde_uses_the_stored_names() {
        assert_eq!(serde_json::to_string(&Role::Viewer).unwrap(), "\"viewer\"");
    }
}
