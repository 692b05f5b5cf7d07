//! Fee quotes: what contact will cost a family, itemised, from the centre's tariff (or one
//! tariff named directly), under the version in force on a date. Public.

use ccm_domain::quote::{self, Quote, QuoteError, QuoteRequest};
use ccm_domain::{ReferrerKind, ServiceType};
use ccm_persistence::tariffs::{TariffRow, TariffVersion};
use ccm_persistence::{offerings, tariffs, AnyConnection, StoreError};
use time::Date;

use crate::tariffs::today;
use crate::{AppError, ProblemType};

/// What to price. Give `centre_id` with `service_type`, or `tariff_id`.
#[derive(Clone, Debug)]
pub struct QuoteCmd {
    pub centre_id: Option<String>,
    pub service_type: Option<ServiceType>,
    pub tariff_id: Option<String>,
    pub referrer: ReferrerKind,
    pub court_ordered: bool,
    pub sessions: u32,
    /// The session length; the centre's default for the service (or two hours) if `None`.
    pub session_minutes: Option<u32>,
    pub items: u32,
    /// The day whose tariff version applies; today (Europe/London) if `None`.
    pub as_of: Option<Date>,
}

/// A quote with the tariff and version it was priced under.
#[derive(Clone, Debug)]
pub struct Quoted {
    pub tariff: TariffRow,
    pub version: TariffVersion,
    pub service: ServiceType,
    pub session_minutes: u32,
    pub quote: Quote,
}

enum Source {
    Centre(String, ServiceType),
    Tariff(String),
}

fn source(cmd: &QuoteCmd) -> Result<Source, AppError> {
    match (
        cmd.centre_id.clone(),
        cmd.service_type,
        cmd.tariff_id.clone(),
    ) {
        (Some(c), Some(s), None) => Ok(Source::Centre(c, s)),
        (None, _, Some(t)) => Ok(Source::Tariff(t)),
        (Some(_), None, None) => Err(AppError::invalid(
            "service_type",
            "required",
            "is required with centre_id",
        )),
        (Some(_), _, Some(_)) => Err(AppError::invalid(
            "tariff_id",
            "one_of",
            "give centre_id or tariff_id, not both",
        )),
        (None, _, None) => Err(AppError::invalid(
            "centre_id",
            "required",
            "give centre_id and service_type, or tariff_id",
        )),
    }
}

/// The tariff the source names, with the centre's default session length for a centre.
fn tariff_of(
    conn: &mut AnyConnection,
    source: &Source,
    asked: Option<ServiceType>,
) -> Result<(TariffRow, Option<u32>), AppError> {
    match source {
        Source::Centre(centre_id, service) => {
            let Some(centre) = offerings::priced(conn, centre_id, *service)? else {
                return Err(AppError::invalid(
                    "centre_id",
                    "not_found",
                    "no such centre",
                ));
            };
            let offered = centre.offered.filter(|(o, _)| o.active && centre.active);
            let Some((offering, tariff)) = offered else {
                return Err(AppError::rule(
                    ProblemType::ServiceNotOffered,
                    format!("{} does not offer {service} contact", centre.name),
                ));
            };
            Ok((tariff, u32::try_from(offering.default_session_minutes).ok()))
        }
        Source::Tariff(id) => {
            let tariff = match tariffs::find(conn, id) {
                Err(StoreError::NotFound) => {
                    return Err(AppError::invalid(
                        "tariff_id",
                        "not_found",
                        "no such tariff",
                    ))
                }
                other => other?,
            };
            if let Some(asked) = asked {
                if tariff.service()? != asked {
                    return Err(AppError::invalid(
                        "service_type",
                        "service_mismatch",
                        format!(
                            "the tariff prices {} contact, not {asked}",
                            tariff.service_type
                        ),
                    ));
                }
            }
            Ok((tariff, None))
        }
    }
}

/// Prices the request under the tariff version in force on its date.
pub fn quote(conn: &mut AnyConnection, cmd: QuoteCmd) -> Result<Quoted, AppError> {
    let as_of = cmd.as_of.unwrap_or_else(today);
    let source = source(&cmd)?;
    let (tariff, default_minutes) = tariff_of(conn, &source, cmd.service_type)?;
    let Some(version) = tariffs::version_on(conn, &tariff.id, as_of)? else {
        return Err(AppError::rule(
            ProblemType::NoTariffInForce,
            format!(
                "no version of the tariff \"{}\" is in force on {as_of}",
                tariff.name
            ),
        ));
    };
    let service = tariff.service()?;
    let minutes = cmd.session_minutes.or(default_minutes).unwrap_or(120);
    let request = QuoteRequest {
        referrer: cmd.referrer,
        court_ordered: cmd.court_ordered,
        sessions: cmd.sessions,
        session_minutes: minutes,
        items: cmd.items,
    };
    let quote = quote::quote(&version.to_domain(service)?, &request).map_err(|e| match e {
        QuoteError::PriceOnApplication(_) => {
            AppError::rule(ProblemType::PriceOnApplication, e.to_string())
        }
        QuoteError::TooLarge { field, .. } => AppError::invalid(field, "range", e.to_string()),
        QuoteError::Overflow => {
            StoreError::Corrupt(format!("tariff version {}: {e}", version.id)).into()
        }
    })?;
    Ok(Quoted {
        tariff,
        version,
        service,
        session_minutes: minutes,
        quote,
    })
}
