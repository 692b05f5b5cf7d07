//! A subject access export (UK GDPR, article 15): everything the provider holds on one person,
//! for its org admins and coordinators to answer the person's request with. The export is
//! made to be handed over: it holds nobody's details but the subject's own (see
//! `ccm_domain::subject_access` for what it shows of others and `notes` for what it leaves out).

use actix_web::{get, web, HttpResponse};

use super::export_dto::*;
use crate::audit;
use crate::cases::stored_json;
use crate::error::{self, ApiError, OrNotFound};
use crate::extract::Principal;
use crate::http::{utc, CURRENCY};
use crate::ids::PersonId;
use crate::routes::referrals::view::{ContactView, NeedsView};
use crate::routes::reports::released::ReleasedReport;
use crate::routes::sessions::party_times;
use crate::state::AppState;
use ccm_domain::access::Access;
use ccm_domain::records::indirect::Direction;
use ccm_domain::records::report::recipient_for_party;
use ccm_domain::referral::PartyRole;
use ccm_domain::subject_access::{self as rules, NOTES};
use ccm_domain::{london, Money};
use ccm_persistence::error::parse_stored;
use ccm_persistence::people::{self, Person};
use ccm_persistence::referrals::{self, Party, Referral};
use ccm_persistence::{
    casework, centres, documents, indirect, ledger, reports, safeguarding, sessions, users,
    AnyConnection,
};

/// Everything the provider holds on a person, for answering their subject access request.
///
/// The person's record and account; and for every case they are a party to: the case's
/// centre, service, status and dates, their part in it, their own pre-visits, the sessions
/// with their own times (parents only), the charges they are the named payer of with their
/// payments, refunds and waivers, the supervised reports released to them (as released),
/// the letterbox items they sent or were sent (metadata only), the safeguarding concerns
/// about them if they are a child (status and dates only: the text, decisions and agencies
/// may be withheld under the exemptions, and staff decide), and the documents filed on the
/// case (metadata only). The other parties appear by role only; a parent's export gives the
/// given names of the case's children. Nobody's contact details appear but the subject's.
/// `notes` lists what is deliberately left out.
///
/// For the person's provider's org admins and coordinators (the data controller answers the
/// request): its other staff, and a parent asking for their own, get 403; anyone else 404.
/// Every export is on the audit trail as a read of the person, naming the blocks exported.
#[utoipa::path(tag = "referrals", params(PersonId), responses((status = 200, description = "Everything held on the person.", body = SubjectExport),
    (status = 401, response = error::Unauthorized), (status = 403, response = error::Forbidden),
    (status = 404, response = error::NotFound)))]
#[get("/people/{id}/export")]
pub async fn export_person(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<PersonId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let view = state
        .read(move |conn| {
            let person = people::find(conn, &id).or_not_found("person")?;
            let own = person.user_id.as_deref() == Some(principal.user_id.as_str());
            match rules::may_export(principal.actor(), &person.provider_id, own) {
                Access::Allowed => {}
                Access::Forbidden => {
                    return Err(ApiError::forbidden(
                        "a subject access request is answered by the provider's org admins and coordinators",
                    ))
                }
                Access::Hidden => return Err(ApiError::not_found("person")),
            }
            let account = match &person.user_id {
                Some(user_id) => Some(account(conn, user_id)?),
                None => None,
            };
            let mut cases = Vec::new();
            for (party, referral) in referrals::cases_of(conn, &person.id)? {
                cases.push(case(conn, &person, &party, &referral)?);
            }
            audit::read("person", &person.id, None, &blocks(account.is_some(), &cases));
            Ok(SubjectExport {
                generated_at: utc(ccm_persistence::now()),
                generated_by: principal.user_id.clone(),
                subject: subject(person),
                account,
                cases,
                notes: NOTES.to_vec(),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The blocks an export holds, as the audit trail names them.
fn blocks(account: bool, cases: &[CaseRecord]) -> Vec<&'static str> {
    let mut out = vec!["record", "contact", "needs"];
    if account {
        out.push("account");
    }
    let any = |f: fn(&CaseRecord) -> bool| cases.iter().any(f);
    for (name, present) in [
        ("cases", !cases.is_empty()),
        ("pre_visits", any(|c| !c.pre_visits.is_empty())),
        ("sessions", any(|c| !c.sessions.is_empty())),
        ("charges", any(|c| !c.charges.is_empty())),
        ("released_reports", any(|c| !c.released_reports.is_empty())),
        ("letterbox", any(|c| !c.letterbox.is_empty())),
        (
            "safeguarding_concerns",
            any(|c| !c.safeguarding_concerns.is_empty()),
        ),
        ("documents", any(|c| !c.documents.is_empty())),
    ] {
        if present {
            out.push(name);
        }
    }
    out
}

fn subject(p: Person) -> SubjectRecord {
    SubjectRecord {
        id: p.id,
        provider_id: p.provider_id,
        given_name: p.given_name,
        family_name: p.family_name,
        date_of_birth: p.date_of_birth,
        contact: ContactView {
            address_line1: p.address_line1,
            address_line2: p.address_line2,
            town: p.town,
            postcode: p.postcode,
            phone: p.phone,
            email: p.email,
        },
        contact_supplied_by: ContactSuppliedBy {
            address: p.address_supplied_by,
            phone: p.phone_supplied_by,
            email: p.email_supplied_by,
        },
        needs: NeedsView {
            interpreter_language: p.interpreter_language,
            access_needs: p.access_needs,
        },
        created_at: utc(p.created_at),
        updated_at: utc(p.updated_at),
    }
}

fn account(conn: &mut AnyConnection, user_id: &str) -> Result<AccountRecord, ApiError> {
    let user = users::find(conn, user_id)?;
    Ok(AccountRecord {
        role: user.role()?,
        id: user.id,
        email: user.email,
        display_name: user.display_name,
        active: user.active,
        created_at: utc(user.created_at),
        last_login_at: user.last_login_at.map(utc),
    })
}

/// One case as it concerns the subject.
fn case(
    conn: &mut AnyConnection,
    person: &Person,
    party: &Party,
    referral: &Referral,
) -> Result<CaseRecord, ApiError> {
    let role = party.role()?;
    let rid = referral.id.as_str();
    let other_parties = referrals::parties(conn, rid)?
        .into_iter()
        .filter(|(_, p)| p.id != person.id)
        .map(|(other, p)| {
            let other = other.role()?;
            Ok(OtherParty {
                role: other,
                given_name: rules::names_other(role, other)
                    .then_some(p.given_name)
                    .flatten(),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let pre_visits = casework::pre_visits(conn, rid)?
        .into_iter()
        .filter(|v| v.party_role == role.as_str())
        .map(|v| PreVisitRecord {
            starts_at: utc(v.starts_at),
            ends_at: utc(v.ends_at),
            attended: v.attended,
        })
        .collect();
    Ok(CaseRecord {
        referral_id: referral.id.clone(),
        centre_id: referral.centre_id.clone(),
        centre_name: centres::find(conn, &referral.centre_id)?.name,
        service_type: referral.service()?,
        status: referral.status()?,
        party_role: role,
        relationship: party.relationship.clone(),
        other_parties,
        referred_at: utc(referral.created_at),
        status_changed_at: utc(referral.status_changed_at),
        court_ordered: referral.court_ordered,
        activated_on: referral.activated_on,
        first_session_on: referral.first_session_on,
        next_review_on: referral.next_review_on,
        closure_reason: referral.closure_reason.clone(),
        pre_visits,
        sessions: session_records(conn, rid, role)?,
        charges: charge_records(conn, rid, role)?,
        released_reports: released(conn, rid, role)?,
        letterbox: letterbox(conn, rid, role)?,
        safeguarding_concerns: concerns(conn, rid, person, role)?,
        documents: document_records(conn, rid)?,
    })
}

fn session_records(
    conn: &mut AnyConnection,
    referral_id: &str,
    role: PartyRole,
) -> Result<Vec<SessionRecord>, ApiError> {
    let list = sessions::for_referral(conn, referral_id)?;
    let ids: Vec<String> = list.iter().map(|s| s.id.clone()).collect();
    let own = rules::own_times(role);
    let times = sessions::parties(conn, &ids)?;
    Ok(list
        .into_iter()
        .map(|s| {
            let attendance = own.and_then(|own| {
                times
                    .iter()
                    .find(|p| p.session_id == s.id && p.party == own.as_str())
                    .map(|p| party_times(own, p))
            });
            SessionRecord {
                id: s.id,
                date: london::local_date(s.starts_at.assume_utc()),
                status: s.status,
                cancelled_by: s.cancelled_by,
                cancelled_at: s.cancelled_at.map(utc),
                attendance,
            }
        })
        .collect())
}

fn charge_records(
    conn: &mut AnyConnection,
    referral_id: &str,
    role: PartyRole,
) -> Result<Vec<ChargeRecord>, ApiError> {
    let charges: Vec<_> = ledger::charges(conn, referral_id)?
        .into_iter()
        .filter(|c| rules::pays(role, &c.payer))
        .collect();
    if charges.is_empty() {
        return Ok(Vec::new());
    }
    let entries = ledger::entries(conn, referral_id)?;
    Ok(charges
        .into_iter()
        .map(|c| ChargeRecord {
            entries: entries
                .iter()
                .filter(|e| e.charge_id == c.id)
                .map(|e| EntryRecord {
                    id: e.id.clone(),
                    kind: e.kind.clone(),
                    amount: Money::from_pence(e.amount_pence),
                    method: e.method.clone(),
                    reference: e.reference.clone(),
                    created_at: utc(e.created_at),
                })
                .collect(),
            id: c.id,
            kind: c.kind,
            description: c.description,
            amount: Money::from_pence(c.amount_pence),
            currency: CURRENCY,
            refundable: c.refundable,
            created_at: utc(c.created_at),
        })
        .collect())
}

fn released(
    conn: &mut AnyConnection,
    referral_id: &str,
    role: PartyRole,
) -> Result<Vec<ReleasedReport>, ApiError> {
    let Some(recipient) = recipient_for_party(role) else {
        return Ok(Vec::new());
    };
    reports::released_to(conn, referral_id, recipient.as_str())?
        .into_iter()
        .map(|(release, session_id)| {
            Ok(ReleasedReport {
                sections: stored_json(&release.sections)?,
                report_id: release.report_id,
                session_id,
                version: release.version_number,
                recipient,
                released_at: utc(release.released_at),
            })
        })
        .collect()
}

fn letterbox(
    conn: &mut AnyConnection,
    referral_id: &str,
    role: PartyRole,
) -> Result<Vec<LetterboxRecord>, ApiError> {
    let mut out = Vec::new();
    for item in indirect::for_referral(conn, referral_id)? {
        let direction: Direction = parse_stored("indirect_items.direction", &item.direction)?;
        let Some(side) = rules::letterbox_side(role, direction) else {
            continue;
        };
        out.push(LetterboxRecord {
            id: item.id,
            side,
            direction: item.direction,
            kind: item.kind,
            large_or_valuable: item.large_or_valuable,
            received_at: utc(item.received_at),
            status: item.status,
            sent_at: item.sent_at.map(utc),
            delivered_at: item.delivered_at.map(utc),
            returned_at: item.returned_at.map(utc),
        });
    }
    Ok(out)
}

fn concerns(
    conn: &mut AnyConnection,
    referral_id: &str,
    person: &Person,
    role: PartyRole,
) -> Result<Vec<ConcernRecord>, ApiError> {
    if !rules::lists_concerns(role) {
        return Ok(Vec::new());
    }
    Ok(safeguarding::about_child(conn, referral_id, &person.id)?
        .into_iter()
        .map(|c| ConcernRecord {
            id: c.id,
            status: c.status,
            raised_at: utc(c.raised_at),
            suspended_case: c.suspended_case,
            decided_at: c.decided_at.map(utc),
            referred_at: c.referred_at.map(utc),
            closed_at: c.closed_at.map(utc),
        })
        .collect())
}

fn document_records(
    conn: &mut AnyConnection,
    referral_id: &str,
) -> Result<Vec<DocumentRecord>, ApiError> {
    documents::for_referral(conn, referral_id)?
        .into_iter()
        .map(|d| {
            Ok(DocumentRecord {
                kind: parse_stored("documents.kind", &d.kind)?,
                id: d.id,
                filename: d.filename,
                content_type: d.content_type,
                size_bytes: d.size_bytes,
                uploaded_at: utc(d.created_at),
            })
        })
        .collect()
}
