//! Workspace, labels, tracking plans, transformations and the audit trail.

use reqwest::Method;

use super::integrations::seg;
use super::{to_body, Client};
use crate::error::Result;
use crate::models::*;

impl Client {
    pub async fn get_workspace(&self) -> Result<Workspace> {
        self.one(Method::GET, "", "workspace", None).await
    }

    pub async fn list_labels(&self) -> Result<Vec<Label>> {
        self.list_all("labels", "labels", &[]).await
    }
    /// The label `key:value`, if the workspace has it (the API has no
    /// single-label read: this finds it in the list).
    pub async fn find_label(&self, key: &str, value: &str) -> Result<Option<Label>> {
        let labels = self.list_shared::<Label>("labels", "labels", &[]).await?;
        Ok(labels
            .iter()
            .find(|l| l.key == key && l.value == value)
            .cloned())
    }
    pub async fn create_label(&self, label: &Label) -> Result<Label> {
        let body = CreateLabel {
            label: label.clone(),
        };
        self.one(Method::POST, "labels", "label", Some(to_body(&body)?))
            .await
    }
    pub async fn delete_label(&self, key: &str, value: &str) -> Result<Status> {
        self.delete(&format!("labels/{}/{}", seg(key), seg(value)), &[])
            .await
    }

    /// An item is what a GET of the plan answers: an export's reads of
    /// plans are answered from the list.
    pub async fn list_tracking_plans(&self) -> Result<Vec<TrackingPlan>> {
        self.list_kept("tracking-plans", "trackingPlans", &[]).await
    }
    pub async fn get_tracking_plan(&self, id: &str) -> Result<TrackingPlan> {
        let path = format!("tracking-plans/{}", seg(id));
        self.one(Method::GET, &path, "trackingPlan", None).await
    }
    pub async fn create_tracking_plan(&self, input: &CreateTrackingPlan) -> Result<TrackingPlan> {
        let body = Some(to_body(input)?);
        self.one(Method::POST, "tracking-plans", "trackingPlan", body)
            .await
    }
    pub async fn update_tracking_plan(
        &self,
        id: &str,
        input: &UpdateTrackingPlan,
    ) -> Result<Status> {
        self.patch(&format!("tracking-plans/{}", seg(id)), input)
            .await
    }
    pub async fn delete_tracking_plan(&self, id: &str) -> Result<Status> {
        self.delete(&format!("tracking-plans/{}", seg(id)), &[])
            .await
    }
    pub async fn list_rules(&self, plan_id: &str) -> Result<Vec<Rule>> {
        let path = format!("tracking-plans/{}/rules", seg(plan_id));
        self.list_all(&path, "rules", &[]).await
    }
    /// Replaces every rule (the API refuses this above 200 existing rules).
    pub async fn replace_rules(&self, plan_id: &str, rules: &[RuleInput]) -> Result<Status> {
        let path = format!("tracking-plans/{}/rules", seg(plan_id));
        self.put(
            &path,
            &Rules {
                rules: rules.to_vec(),
            },
        )
        .await
    }
    /// Adds or updates rules, matched by type and key. Takes [`RuleInput`]s,
    /// or [`UpsertRule`]s where a `new_key` renames a rule.
    pub async fn upsert_rules<R>(&self, plan_id: &str, rules: &[R]) -> Result<Status>
    where
        R: Clone + Into<UpsertRule>,
    {
        let path = format!("tracking-plans/{}/rules", seg(plan_id));
        let rules: Vec<UpsertRule> = rules.iter().cloned().map(Into::into).collect();
        self.patch(&path, &Rules { rules }).await
    }
    pub async fn remove_rules(&self, plan_id: &str, rules: &[RuleKey]) -> Result<Status> {
        let path = format!("tracking-plans/{}/rules", seg(plan_id));
        let body = to_body(&Rules {
            rules: rules.to_vec(),
        })?;
        self.request(Method::DELETE, &path, &[], Some(&body)).await
    }
    pub async fn list_tracking_plan_sources(&self, plan_id: &str) -> Result<Vec<Source>> {
        let path = format!("tracking-plans/{}/sources", seg(plan_id));
        self.list_all(&path, "sources", &[]).await
    }
    pub async fn add_tracking_plan_source(&self, plan_id: &str, source_id: &str) -> Result<Status> {
        let path = format!("tracking-plans/{}/sources", seg(plan_id));
        let body = SourceRef {
            source_id: source_id.to_string(),
        };
        self.post(&path, &body).await
    }
    pub async fn remove_tracking_plan_source(
        &self,
        plan_id: &str,
        source_id: &str,
    ) -> Result<Status> {
        let path = format!("tracking-plans/{}/sources", seg(plan_id));
        self.delete(&path, &[("sourceId", source_id.to_string())])
            .await
    }

    pub async fn list_transformations(&self) -> Result<Vec<Transformation>> {
        self.list_kept("transformations", "transformations", &[])
            .await
    }
    pub async fn get_transformation(&self, id: &str) -> Result<Transformation> {
        let path = format!("transformations/{}", seg(id));
        self.one(Method::GET, &path, "transformation", None).await
    }
    pub async fn create_transformation(
        &self,
        input: &CreateTransformation,
    ) -> Result<Transformation> {
        let body = Some(to_body(input)?);
        self.one(Method::POST, "transformations", "transformation", body)
            .await
    }
    pub async fn update_transformation(
        &self,
        id: &str,
        input: &UpdateTransformation,
    ) -> Result<Transformation> {
        let path = format!("transformations/{}", seg(id));
        self.one(
            Method::PATCH,
            &path,
            "transformation",
            Some(to_body(input)?),
        )
        .await
    }
    pub async fn delete_transformation(&self, id: &str) -> Result<Status> {
        self.delete(&format!("transformations/{}", seg(id)), &[])
            .await
    }

    /// Every audit event matching `query`, oldest first.
    pub async fn list_audit_events(&self, query: &AuditQuery) -> Result<Vec<AuditEvent>> {
        self.list_all("audit-events", "events", &audit_params(query))
            .await
    }

    /// One page of audit events after `cursor`, for followers that keep their place.
    pub async fn audit_events_page(
        &self,
        query: &AuditQuery,
        cursor: Option<&str>,
        count: u32,
    ) -> Result<(Vec<AuditEvent>, Pagination)> {
        self.list_page(
            "audit-events",
            "events",
            &audit_params(query),
            cursor,
            count,
        )
        .await
    }

    /// [`Self::audit_events_page`] for a follower: a workspace that can hold
    /// the request open answers when an event after `cursor` arrives or
    /// `wait` ends (ours; Segment's API ignores `wait` and answers at once),
    /// and answers a cursor at the end of the trail to resume from.
    pub async fn audit_events_wait(
        &self,
        query: &AuditQuery,
        cursor: Option<&str>,
        count: u32,
        wait: std::time::Duration,
    ) -> Result<(Vec<AuditEvent>, Pagination)> {
        let mut params = audit_params(query);
        params.push(("wait", format!("{}", wait.as_secs_f64())));
        self.list_page("audit-events", "events", &params, cursor, count)
            .await
    }
}

fn audit_params(q: &AuditQuery) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (k, v) in [
        ("startTime", &q.start_time),
        ("endTime", &q.end_time),
        ("resourceId", &q.resource_id),
        ("resourceType", &q.resource_type),
    ] {
        if let Some(v) = v {
            out.push((k, v.clone()));
        }
    }
    out
}
