//! What a case is charged, from today's tariff for its centre's service through the fee engine.

use time::OffsetDateTime;

use ccm_domain::quote::{self, LineKind, QuoteLine};
use ccm_domain::{london, Funder, ServiceType};
use ccm_persistence::ledger::{self, Charge, Entry};
use ccm_persistence::referrals::Referral;
use ccm_persistence::{new_id, offerings, tariffs, AnyConnection, StoreError};

use crate::clock::stored;
use crate::AppError;

/// The tariff in force today for the centre's service, with the offering it comes from;
/// `None` if the centre does not offer the service or its tariff has no current version.
pub fn current_tariff(
    conn: &mut AnyConnection,
    centre_id: &str,
    service: ServiceType,
) -> Result<Option<(offerings::Offering, ccm_domain::tariff::Tariff)>, AppError> {
    let Some(offering) = offerings::find_for(conn, centre_id, service)? else {
        return Ok(None);
    };
    let today = london::local_date(OffsetDateTime::now_utc());
    let Some(version) = tariffs::version_on(conn, &offering.tariff_id, today)? else {
        return Ok(None);
    };
    let tariff = version.to_domain(service)?;
    Ok(Some((offering, tariff)))
}

/// The tariff's lines of `kind` for this case (today's tariff version), and the funder who
/// waives them if any. A price the provider does not publish raises no charges.
pub fn tariff_lines(
    conn: &mut AnyConnection,
    centre_id: &str,
    service: ServiceType,
    referrer: ccm_domain::ReferrerKind,
    court_ordered: bool,
    kind: LineKind,
) -> Result<(Vec<QuoteLine>, Option<Funder>), AppError> {
    let Some((offering, tariff)) = current_tariff(conn, centre_id, service)? else {
        return Ok((Vec::new(), None));
    };
    let request = quote::QuoteRequest {
        referrer,
        court_ordered,
        sessions: 0,
        session_minutes: u32::try_from(offering.default_session_minutes).unwrap_or(120),
        items: 0,
    };
    match quote::quote(&tariff, &request) {
        Ok(q) => Ok((
            q.lines.into_iter().filter(|l| l.kind == kind).collect(),
            q.funded_by,
        )),
        Err(quote::QuoteError::PriceOnApplication(_)) => {
            Ok((Vec::new(), tariff.waived_by(referrer, court_ordered)))
        }
        Err(e) => Err(StoreError::Corrupt(format!("tariff {}: {e}", offering.tariff_id)).into()),
    }
}

/// Raises the tariff's charges of `kind` on the case. A funder's charges are raised and at
/// once waived by it, so the ledger shows what the funder covered.
pub fn raise_charges(
    conn: &mut AnyConnection,
    referral: &Referral,
    kind: LineKind,
    recorded_by: &str,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let (lines, funder) = tariff_lines(
        conn,
        &referral.centre_id,
        referral.service()?,
        referral.referrer_kind()?,
        referral.court_ordered,
        kind,
    )?;
    let at = stored(now);
    for line in lines {
        let amount = line.unit_amount.pence() * i64::from(line.quantity);
        if amount <= 0 {
            continue;
        }
        let charge = Charge {
            id: new_id(),
            referral_id: referral.id.clone(),
            kind: line.kind.as_str().to_string(),
            description: line.description.clone(),
            amount_pence: amount,
            refundable: line.refundable,
            payer: line.payer.as_str().to_string(),
            funder: line.funder.map(|f| f.as_str().to_string()),
            due: line.due.as_str().to_string(),
            created_at: at,
        };
        ledger::insert_charge(conn, &charge)?;
        if let Some(f) = funder {
            ledger::insert_entry(
                conn,
                &Entry {
                    id: new_id(),
                    referral_id: referral.id.clone(),
                    charge_id: charge.id.clone(),
                    kind: "waiver".into(),
                    amount_pence: amount,
                    method: None,
                    reference: None,
                    payer: None,
                    funder: Some(f.as_str().to_string()),
                    reason: Some(format!("funded by {}", f.name())),
                    recorded_by: recorded_by.to_string(),
                    created_at: at,
                },
            )?;
        }
    }
    Ok(())
}
