use super::*;

#[test]
fn every_problem_type_title_is_its_status_reason_phrase() {
    for t in ProblemType::ALL {
        let status = StatusCode::from_u16(t.status()).expect("a valid status");
        assert_eq!(Some(t.title()), status.canonical_reason(), "{t:?}");
    }
}

#[test]
fn a_problem_carries_its_type_status_and_title() {
    let p = ApiError::conflict(ProblemType::DuplicateName, "taken").problem();
    assert_eq!(p.problem_type, "urn:ccm:problem:duplicate-name");
    assert_eq!((p.status, p.title.as_str()), (409, "Conflict"));
    let p = ApiError::invalid("name", "required", "is required").problem();
    assert_eq!(p.problem_type, "urn:ccm:problem:validation");
    assert_eq!(p.status, 422);
}
