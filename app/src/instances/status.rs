//! The states a request and an instance pass through, as stored (the migrations' CHECK
//! constraints name the same values) and sent to the browser and the live stream.

crate::text_enum! {
    /// Where an instance request stands.
    pub enum RequestStatus {
        Pending = "pending",
        Approved = "approved",
        Provisioning = "provisioning",
        Active = "active",
        Rejected = "rejected",
        Deleted = "deleted",
    }
}

impl RequestStatus {
    /// Whether platform staff may approve the request: pending ones, and rejected ones
    /// again (the repository's `approve` updates only rows in these states).
    pub fn may_approve(self) -> bool {
        match self {
            RequestStatus::Pending | RequestStatus::Rejected => true,
            RequestStatus::Approved
            | RequestStatus::Provisioning
            | RequestStatus::Active
            | RequestStatus::Deleted => false,
        }
    }

    /// Whether platform staff may reject the request: pending ones only.
    pub fn may_reject(self) -> bool {
        self == RequestStatus::Pending
    }
}

crate::text_enum! {
    /// The phase of an instance, named as the provisioning engine names it.
    pub enum InstancePhase {
        Pending = "Pending",
        Provisioning = "Provisioning",
        Ready = "Ready",
        Error = "Error",
        Suspended = "Suspended",
        Deleting = "Deleting",
        Deleted = "Deleted",
    }
}

crate::text_enum! {
    /// Where one step of a provisioning run stands.
    pub enum StepStatus {
        Pending = "pending",
        Running = "running",
        Ok = "ok",
        Skipped = "skipped",
        Error = "error",
    }
}

impl StepStatus {
    /// Whether steps that need this one may run.
    pub fn satisfies(self) -> bool {
        matches!(self, StepStatus::Ok | StepStatus::Skipped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_values_are_those_of_the_migrations() {
        let statuses: Vec<_> = RequestStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            statuses,
            [
                "pending",
                "approved",
                "provisioning",
                "active",
                "rejected",
                "deleted"
            ]
        );
        let phases: Vec<_> = InstancePhase::ALL.iter().map(|p| p.as_str()).collect();
        assert_eq!(
            phases,
            [
                "Pending",
                "Provisioning",
                "Ready",
                "Error",
                "Suspended",
                "Deleting",
                "Deleted"
            ]
        );
        for dir in ["sqlite", "postgres"] {
            let path = format!(
                "{}/../migrations/{dir}/0005_instance_requests.sql",
                env!("CARGO_MANIFEST_DIR")
            );
            let sql = std::fs::read_to_string(&path).unwrap();
            // The phases as migration 0010 widened them.
            let widened = std::fs::read_to_string(format!(
                "{}/../migrations/{dir}/0010_instance_deleted.sql",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap();
            let quoted = |values: &[&str]| {
                values
                    .iter()
                    .map(|v| format!("'{v}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            assert!(
                sql.contains(&format!("CHECK (status IN ({}))", quoted(&statuses))),
                "{path}"
            );
            assert!(
                widened.contains(&format!("CHECK (phase IN ({}))", quoted(&phases))),
                "{path}"
            );
        }
    }

    #[test]
    fn decisions_follow_the_status() {
        let approvable: Vec<_> = RequestStatus::ALL
            .into_iter()
            .filter(|s| s.may_approve())
            .collect();
        assert_eq!(
            approvable,
            [RequestStatus::Pending, RequestStatus::Rejected]
        );
        let rejectable: Vec<_> = RequestStatus::ALL
            .into_iter()
            .filter(|s| s.may_reject())
            .collect();
        assert_eq!(rejectable, [RequestStatus::Pending]);
    }
}
