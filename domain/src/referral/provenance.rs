//! Who supplied each of a person's contact details. A referrer sees back exactly the contact
//! fields it supplied and nobody has changed since: never an address or phone staff or the
//! other side added later, even after it sends one field of its own again.

/// The parts of a person's contact details, each with its own provenance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContactParts {
    /// The postal address (all its lines, town and postcode together).
    pub address: bool,
    pub phone: bool,
    pub email: bool,
}

impl ContactParts {
    pub const ALL: ContactParts = ContactParts {
        address: true,
        phone: true,
        email: true,
    };
    pub const NONE: ContactParts = ContactParts {
        address: false,
        phone: false,
        email: false,
    };

    pub fn any(self) -> bool {
        self.address || self.phone || self.email
    }
}

/// The account that last supplied each contact field, if any did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Provenance {
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl Provenance {
    /// `by` gave the fields in `given`: those are now its own, whoever supplied them before;
    /// the fields it did not give keep their supplier.
    pub fn record(&mut self, given: ContactParts, by: &str) {
        for (given, supplier) in [
            (given.address, &mut self.address),
            (given.phone, &mut self.phone),
            (given.email, &mut self.email),
        ] {
            if given {
                *supplier = Some(by.to_string());
            }
        }
    }

    /// The fields `account` supplied that nobody has changed since.
    pub fn supplied_by(&self, account: &str) -> ContactParts {
        let mine = |s: &Option<String>| s.as_deref() == Some(account);
        ContactParts {
            address: mine(&self.address),
            phone: mine(&self.phone),
            email: mine(&self.email),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: ContactParts = ContactParts {
        email: true,
        ..ContactParts::NONE
    };

    #[test]
    fn a_referrer_sees_the_fields_it_supplied_not_those_staff_added_later() {
        let mut p = Provenance::default();
        p.record(EMAIL, "referrer");
        p.record(
            ContactParts {
                address: true,
                phone: true,
                email: false,
            },
            "coordinator",
        );
        // Sending its e-mail again makes nothing else the referrer's.
        p.record(EMAIL, "referrer");
        assert_eq!(p.supplied_by("referrer"), EMAIL);
    }

    #[test]
    fn a_field_staff_overwrote_is_no_longer_the_referrers() {
        let mut p = Provenance::default();
        p.record(ContactParts::ALL, "referrer");
        p.record(EMAIL, "coordinator");
        assert_eq!(
            p.supplied_by("referrer"),
            ContactParts {
                email: false,
                ..ContactParts::ALL
            }
        );
        assert_eq!(p.supplied_by("coordinator"), EMAIL);
    }

    #[test]
    fn nobody_supplied_what_was_never_given() {
        let p = Provenance::default();
        assert!(!p.supplied_by("referrer").any());
        assert!(!p.supplied_by("").any());
    }
}
