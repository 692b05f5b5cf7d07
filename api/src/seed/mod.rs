//! Demonstration data: the two providers described in domain.md with their services, fees and
//! one account per role, so a newcomer can open Swagger UI and try everything at once.
//!
//! domain.md gives how many centres each provider runs and which services and fees they have,
//! but not where: the towns below are illustrative.

use std::fmt;

use time::macros::date;

use ccm_domain::presets;
use ccm_domain::tariff::Tariff;
use ccm_domain::{Role, RoomKind, ServiceType};
use ccm_persistence::centres::{self, pattern_json, Centre};
use ccm_persistence::offerings::{self, days_text, Offering};
use ccm_persistence::providers::{self, Provider};
use ccm_persistence::rooms::{self, Room};
use ccm_persistence::tariffs::{self, TariffRow, TariffVersion};
use ccm_persistence::users::{self, User};
use ccm_persistence::{new_id, now, AnyConnection, Db, StoreError};

use crate::security::hash_password;

mod places;
use places::{days_for, minutes_for, opening_for, places_for, CentreSpec, CL_CENTRES, FA_CENTRES};

pub const DEMO_PASSWORD: &str = "demo-password-2026";

/// What was loaded, printed for the newcomer.
pub struct Report {
    pub providers: usize,
    pub centres: usize,
    pub accounts: Vec<(String, Role)>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "loaded demo data: {} providers, {} centres",
            self.providers, self.centres
        )?;
        writeln!(f, "demo accounts (password for all: {DEMO_PASSWORD}):")?;
        for (email, role) in &self.accounts {
            writeln!(f, "  {role:<15} {email}")?;
        }
        Ok(())
    }
}

struct Loader<'a> {
    conn: &'a mut AnyConnection,
    at: time::PrimitiveDateTime,
    centres: usize,
}

impl Loader<'_> {
    fn provider(&mut self, name: &str, website: &str) -> Result<String, StoreError> {
        let p = Provider {
            id: new_id(),
            name: name.to_string(),
            charity_number: None,
            website: Some(website.to_string()),
            contact_email: None,
            contact_phone: None,
            version: 1,
            created_at: self.at,
            updated_at: self.at,
        };
        providers::insert(self.conn, &p)?;
        Ok(p.id)
    }

    fn tariff(
        &mut self,
        provider_id: &str,
        name: &str,
        tariff: &Tariff,
    ) -> Result<String, StoreError> {
        let row = TariffRow {
            id: new_id(),
            provider_id: provider_id.to_string(),
            name: name.to_string(),
            service_type: tariff.service.as_str().to_string(),
            version: 1,
            created_at: self.at,
            updated_at: self.at,
        };
        tariffs::insert(self.conn, &row)?;
        let version = TariffVersion::from_domain(
            new_id(),
            row.id.clone(),
            date!(2026 - 01 - 01),
            tariff,
            self.at,
        );
        tariffs::insert_version(self.conn, &version)?;
        Ok(row.id)
    }

    fn centre(
        &mut self,
        provider_id: &str,
        spec: &CentreSpec,
        alternate_saturdays: bool,
        tariff_for: &dyn Fn(ServiceType) -> String,
    ) -> Result<(), StoreError> {
        let centre = Centre {
            id: new_id(),
            provider_id: provider_id.to_string(),
            name: spec.name.to_string(),
            address_line1: "1 High Street".to_string(),
            address_line2: None,
            town: spec.town.to_string(),
            postcode: spec.postcode.to_string(),
            phone: None,
            time_zone: "Europe/London".to_string(),
            opening_pattern: pattern_json(&opening_for(spec.services, alternate_saturdays)),
            active: true,
            version: 1,
            created_at: self.at,
            updated_at: self.at,
        };
        centres::insert(self.conn, &centre)?;
        self.centres += 1;
        let mut room = |name: &str, kind: RoomKind, capacity: i32| {
            rooms::insert(
                self.conn,
                &Room {
                    id: new_id(),
                    centre_id: centre.id.clone(),
                    name: name.to_string(),
                    kind: kind.as_str().to_string(),
                    capacity,
                    active: true,
                    version: 1,
                    created_at: self.at,
                    updated_at: self.at,
                },
            )
        };
        if spec.services.contains(&ServiceType::Supported) {
            room("Main Hall", RoomKind::Shared, 8)?;
        }
        if spec.services.contains(&ServiceType::Supervised) {
            room("Family Room 1", RoomKind::Private, 1)?;
            room("Family Room 2", RoomKind::Private, 1)?;
        }
        for service in spec.services {
            offerings::insert(
                self.conn,
                &Offering {
                    id: new_id(),
                    centre_id: centre.id.clone(),
                    service_type: service.as_str().to_string(),
                    tariff_id: tariff_for(*service),
                    default_session_minutes: minutes_for(*service),
                    days_offered: days_text(&days_for(*service)),
                    waiting_list_open: true,
                    places: places_for(*service),
                    active: true,
                    version: 1,
                    created_at: self.at,
                    updated_at: self.at,
                },
            )?;
        }
        Ok(())
    }

    fn user(
        &mut self,
        email: &str,
        name: &str,
        role: Role,
        provider_id: Option<&str>,
        hash: &str,
    ) -> Result<(), StoreError> {
        users::insert(
            self.conn,
            &User {
                id: new_id(),
                email: email.to_string(),
                display_name: name.to_string(),
                password_hash: hash.to_string(),
                role: role.as_str().to_string(),
                provider_id: provider_id.map(str::to_string),
                active: true,
                version: 1,
                last_login_at: None,
                created_at: self.at,
                updated_at: self.at,
            },
        )
    }
}

/// Loads the demo data into an empty database; `None` if it already has providers.
pub fn seed_demo(db: &Db) -> Result<Option<Report>, String> {
    let hash = hash_password(DEMO_PASSWORD).map_err(|e| e.to_string())?;
    db.write(|conn| -> Result<Option<Report>, StoreError> {
        // Two servers started together on a new PostgreSQL database would both see it empty
        // and both seed; the second would fail on a duplicate. SQLite's writer lock already
        // makes them take turns.
        ccm_persistence::db::lock_setup(conn)?;
        if providers::count(conn)? > 0 {
            return Ok(None);
        }
        let mut load = Loader {
            conn,
            at: now(),
            centres: 0,
        };

        let cl = load.provider("CL Child Contact Centres", "https://cl.example.org")?;
        let cl_supported = load.tariff(&cl, "CL supported contact", &presets::cl_supported())?;
        let cl_supervised = load.tariff(&cl, "CL supervised contact", &presets::cl_supervised())?;
        let cl_handover = load.tariff(&cl, "CL handover", &presets::cl_handover())?;
        let cl_indirect = load.tariff(&cl, "CL indirect contact", &presets::cl_indirect())?;
        let cl_tariff = |s: ServiceType| match s {
            ServiceType::Supported => cl_supported.clone(),
            ServiceType::Supervised => cl_supervised.clone(),
            ServiceType::Handover => cl_handover.clone(),
            ServiceType::Indirect => cl_indirect.clone(),
        };
        for spec in CL_CENTRES {
            load.centre(&cl, spec, false, &cl_tariff)?;
        }

        let fa = load.provider("FA Family Contact", "https://fa.example.org")?;
        let fa_supported = load.tariff(&fa, "FA supported contact", &presets::fa_supported())?;
        let fa_supervised = load.tariff(&fa, "FA supervised contact", &presets::fa_supervised())?;
        let fa_handover = load.tariff(
            &fa,
            "FA handover",
            &presets::on_application(ServiceType::Handover),
        )?;
        let fa_indirect = load.tariff(
            &fa,
            "FA indirect contact",
            &presets::on_application(ServiceType::Indirect),
        )?;
        let fa_tariff = |s: ServiceType| match s {
            ServiceType::Supported => fa_supported.clone(),
            ServiceType::Supervised => fa_supervised.clone(),
            ServiceType::Handover => fa_handover.clone(),
            ServiceType::Indirect => fa_indirect.clone(),
        };
        for spec in FA_CENTRES {
            load.centre(&fa, spec, true, &fa_tariff)?;
        }

        let accounts: Vec<(String, &str, Role, Option<&str>)> = vec![
            (
                "admin@example.org".into(),
                "Platform Admin",
                Role::PlatformAdmin,
                None,
            ),
            (
                "orgadmin@cl.example.org".into(),
                "Olu Org-Admin",
                Role::OrgAdmin,
                Some(&cl),
            ),
            (
                "coordinator@cl.example.org".into(),
                "Cat Coordinator",
                Role::Coordinator,
                Some(&cl),
            ),
            (
                "supervisor@cl.example.org".into(),
                "Sam Supervisor",
                Role::Supervisor,
                Some(&cl),
            ),
            (
                "volunteer@cl.example.org".into(),
                "Vic Volunteer",
                Role::Volunteer,
                Some(&cl),
            ),
            (
                "finance@cl.example.org".into(),
                "Fin Finance",
                Role::Finance,
                Some(&cl),
            ),
            (
                "referrer@cl.example.org".into(),
                "Rae Solicitor",
                Role::Referrer,
                Some(&cl),
            ),
            (
                "parent@cl.example.org".into(),
                "Pat Parent",
                Role::Parent,
                Some(&cl),
            ),
            (
                "orgadmin@fa.example.org".into(),
                "Ada Org-Admin",
                Role::OrgAdmin,
                Some(&fa),
            ),
        ];
        for (email, name, role, provider) in &accounts {
            load.user(email, name, *role, *provider, &hash)?;
        }
        Ok(Some(Report {
            providers: 2,
            centres: load.centres,
            accounts: accounts.into_iter().map(|(e, _, r, _)| (e, r)).collect(),
        }))
    })
    .map_err(|e| e.to_string())
}
