//! The kinds of resource the workspace stores.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Source,
    Destination,
    Subscription,
    Warehouse,
    WarehouseConnection,
    ProfilesWarehouse,
    Filter,
    TrackingPlan,
    Rule,
    TrackingPlanConnection,
    Function,
    InsertFunctionInstance,
    Transformation,
    ReverseEtlModel,
    Label,
    User,
    Invite,
    UserGroup,
    Space,
    Audience,
    ComputedTrait,
}

impl Kind {
    pub const ALL: &'static [Kind] = &[
        Kind::Source,
        Kind::Destination,
        Kind::Subscription,
        Kind::Warehouse,
        Kind::WarehouseConnection,
        Kind::ProfilesWarehouse,
        Kind::Filter,
        Kind::TrackingPlan,
        Kind::Rule,
        Kind::TrackingPlanConnection,
        Kind::Function,
        Kind::InsertFunctionInstance,
        Kind::Transformation,
        Kind::ReverseEtlModel,
        Kind::Label,
        Kind::User,
        Kind::Invite,
        Kind::UserGroup,
        Kind::Space,
        Kind::Audience,
        Kind::ComputedTrait,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Source => "source",
            Kind::Destination => "destination",
            Kind::Subscription => "destination_subscription",
            Kind::Warehouse => "warehouse",
            Kind::WarehouseConnection => "source_warehouse_connection",
            Kind::ProfilesWarehouse => "profiles_warehouse",
            Kind::Filter => "destination_filter",
            Kind::TrackingPlan => "tracking_plan",
            Kind::Rule => "tracking_plan_rule",
            Kind::TrackingPlanConnection => "source_tracking_plan_connection",
            Kind::Function => "function",
            Kind::InsertFunctionInstance => "insert_function_instance",
            Kind::Transformation => "transformation",
            Kind::ReverseEtlModel => "reverse_etl_model",
            Kind::Label => "label",
            Kind::User => "user",
            Kind::Invite => "invite",
            Kind::UserGroup => "user_group",
            Kind::Space => "space",
            Kind::Audience => "audience",
            Kind::ComputedTrait => "computed_trait",
        }
    }

    /// The name the audit trail uses, as in "Destination Filter Created".
    pub fn display(self) -> &'static str {
        match self {
            Kind::Source => "Source",
            Kind::Destination => "Destination",
            Kind::Subscription => "Destination Subscription",
            Kind::Warehouse => "Warehouse",
            Kind::WarehouseConnection => "Source Warehouse Connection",
            Kind::ProfilesWarehouse => "Profiles Warehouse",
            Kind::Filter => "Destination Filter",
            Kind::TrackingPlan => "Tracking Plan",
            Kind::Rule => "Tracking Plan Rule",
            Kind::TrackingPlanConnection => "Source Tracking Plan Connection",
            Kind::Function => "Function",
            Kind::InsertFunctionInstance => "Insert Function Instance",
            Kind::Transformation => "Transformation",
            Kind::ReverseEtlModel => "Reverse ETL Model",
            Kind::Label => "Label",
            Kind::User => "User",
            Kind::Invite => "Invite",
            Kind::UserGroup => "User Group",
            Kind::Space => "Space",
            Kind::Audience => "Audience",
            Kind::ComputedTrait => "Computed Trait",
        }
    }

    /// Whether deleting one records its own audit event. Rules are covered by
    /// their plan's event; everything else a follower must hear about.
    pub fn audited(self) -> bool {
        !matches!(self, Kind::Rule)
    }

    /// The request field that holds a kind's natural key, for 409 errors.
    pub fn natural_key_field(self) -> &'static str {
        match self {
            Kind::Source | Kind::Space => "slug",
            Kind::Label => "label",
            Kind::User | Kind::Invite => "email",
            Kind::Rule => "rules",
            Kind::WarehouseConnection | Kind::TrackingPlanConnection => "sourceId",
            Kind::UserGroup | Kind::TrackingPlan => "name",
            // Their key, unique in a space, is made from the name.
            Kind::Audience | Kind::ComputedTrait => "name",
            _ => "id",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display())
    }
}
