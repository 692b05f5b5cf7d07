//! Where the demo providers' centres are and what each offers. domain.md gives the counts (CL:
//! 9 supported and 4 supervised centres; FA: six towns, supported at three of them); the towns
//! are illustrative.

use time::macros::{date, time};

use ccm_domain::opening::{OpeningPattern, OpeningRule};
use ccm_domain::{ServiceType, Weekday};

pub struct CentreSpec {
    pub name: &'static str,
    pub town: &'static str,
    pub postcode: &'static str,
    pub services: &'static [ServiceType],
}

pub const CL_CENTRES: &[CentreSpec] = &[
    CentreSpec {
        name: "CL Ashford",
        town: "Ashford",
        postcode: "TN23 1AA",
        services: &[ServiceType::Supported, ServiceType::Handover],
    },
    CentreSpec {
        name: "CL Canterbury",
        town: "Canterbury",
        postcode: "CT1 2AA",
        services: &[ServiceType::Supported, ServiceType::Handover],
    },
    CentreSpec {
        name: "CL Dover",
        town: "Dover",
        postcode: "CT16 1AA",
        services: &[ServiceType::Supported],
    },
    CentreSpec {
        name: "CL Folkestone",
        town: "Folkestone",
        postcode: "CT20 1AA",
        services: &[ServiceType::Supported, ServiceType::Handover],
    },
    CentreSpec {
        name: "CL Maidstone",
        town: "Maidstone",
        postcode: "ME14 1AA",
        services: &[ServiceType::Supported],
    },
    CentreSpec {
        name: "CL Margate",
        town: "Margate",
        postcode: "CT9 1AA",
        services: &[ServiceType::Supported],
    },
    CentreSpec {
        name: "CL Sevenoaks",
        town: "Sevenoaks",
        postcode: "TN13 1AA",
        services: &[ServiceType::Supported],
    },
    CentreSpec {
        name: "CL Tonbridge",
        town: "Tonbridge",
        postcode: "TN9 1AA",
        services: &[ServiceType::Supported],
    },
    CentreSpec {
        name: "CL Whitstable",
        town: "Whitstable",
        postcode: "CT5 1AA",
        services: &[ServiceType::Supported],
    },
    CentreSpec {
        name: "CL Chatham Supervised",
        town: "Chatham",
        postcode: "ME4 4AA",
        services: &[ServiceType::Supervised, ServiceType::Indirect],
    },
    CentreSpec {
        name: "CL Gravesend Supervised",
        town: "Gravesend",
        postcode: "DA11 0AA",
        services: &[ServiceType::Supervised],
    },
    CentreSpec {
        name: "CL Maidstone Supervised",
        town: "Maidstone",
        postcode: "ME15 6AA",
        services: &[ServiceType::Supervised],
    },
    CentreSpec {
        name: "CL Canterbury Supervised",
        town: "Canterbury",
        postcode: "CT1 3AA",
        services: &[ServiceType::Supervised],
    },
];

pub const FA_CENTRES: &[CentreSpec] = &[
    CentreSpec {
        name: "FA Barnsley",
        town: "Barnsley",
        postcode: "S70 1AA",
        services: &[
            ServiceType::Supported,
            ServiceType::Supervised,
            ServiceType::Handover,
        ],
    },
    CentreSpec {
        name: "FA Doncaster",
        town: "Doncaster",
        postcode: "DN1 1AA",
        services: &[ServiceType::Supported, ServiceType::Supervised],
    },
    CentreSpec {
        name: "FA Sheffield",
        town: "Sheffield",
        postcode: "S1 2AA",
        services: &[
            ServiceType::Supported,
            ServiceType::Supervised,
            ServiceType::Indirect,
        ],
    },
    CentreSpec {
        name: "FA Rotherham",
        town: "Rotherham",
        postcode: "S60 1AA",
        services: &[ServiceType::Supervised],
    },
    CentreSpec {
        name: "FA Wakefield",
        town: "Wakefield",
        postcode: "WF1 1AA",
        services: &[ServiceType::Supervised, ServiceType::Handover],
    },
    CentreSpec {
        name: "FA Huddersfield",
        town: "Huddersfield",
        postcode: "HD1 1AA",
        services: &[ServiceType::Supervised],
    },
];

fn rule(
    weekday: Weekday,
    opens: time::Time,
    closes: time::Time,
    every_weeks: u8,
    starting: Option<time::Date>,
) -> OpeningRule {
    OpeningRule {
        weekday,
        opens,
        closes,
        every_weeks,
        starting,
    }
}

/// Opening hours that fit the services a centre offers.
pub fn opening_for(services: &[ServiceType], alternate_saturdays: bool) -> OpeningPattern {
    let mut rules = Vec::new();
    if services.contains(&ServiceType::Handover) {
        // CL's handover slots run 09:00 to 16:00 on Saturdays.
        rules.push(rule(Weekday::Saturday, time!(09:00), time!(16:00), 1, None));
    } else if services.contains(&ServiceType::Supervised) {
        rules.push(rule(Weekday::Saturday, time!(09:30), time!(16:30), 1, None));
    } else if alternate_saturdays {
        rules.push(rule(
            Weekday::Saturday,
            time!(10:00),
            time!(12:00),
            2,
            Some(date!(2026 - 01 - 03)),
        ));
    } else {
        rules.push(rule(Weekday::Saturday, time!(10:00), time!(13:00), 1, None));
    }
    if services.contains(&ServiceType::Supervised) {
        rules.push(rule(
            Weekday::Wednesday,
            time!(16:00),
            time!(19:00),
            1,
            None,
        ));
    }
    OpeningPattern { rules }
}

pub fn days_for(service: ServiceType) -> Vec<Weekday> {
    match service {
        ServiceType::Supervised => vec![Weekday::Wednesday, Weekday::Saturday],
        ServiceType::Indirect => vec![
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
        ],
        ServiceType::Supported | ServiceType::Handover => vec![Weekday::Saturday],
    }
}

pub fn minutes_for(service: ServiceType) -> i32 {
    match service {
        ServiceType::Handover => 195,
        ServiceType::Indirect => 15,
        ServiceType::Supported | ServiceType::Supervised => 120,
    }
}

/// How many families each service takes at once; letterbox places are offered by hand.
pub fn places_for(service: ServiceType) -> Option<i32> {
    match service {
        ServiceType::Supported => Some(8),
        ServiceType::Supervised => Some(2),
        ServiceType::Handover => Some(4),
        ServiceType::Indirect => None,
    }
}
