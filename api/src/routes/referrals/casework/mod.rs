//! Casework records: the suitability assessment, each side's pre-visit, reviews and the
//! next-steps meeting. Each parent sees only their own pre-visit.

mod assessment;
mod pre_visits;
mod reviews;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(assessment::record_assessment)
        .service(assessment::get_assessment)
        .service(pre_visits::book_pre_visit)
        .service(pre_visits::list_pre_visits)
        .service(pre_visits::mark_attended)
        .service(reviews::record_review)
        .service(reviews::list_reviews)
        .service(reviews::record_meeting)
        .service(reviews::get_meeting);
}
