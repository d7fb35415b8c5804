//! The built-in roles and the resource types each can be granted on.
//!
//! The API lists roles (`GET /roles`) but not where each applies; the
//! workspace server refuses a grant on another type, and the provider
//! refuses the same grant at plan time, so both read this one table.

/// The Workspace Owner role, the one every token owner starts with.
pub const WORKSPACE_OWNER_ROLE: &str = "1WDUuRLxv84rrfCNUwvkrRtkxnS";

/// A workspace role and the resource types it can be granted on.
pub struct RoleDef {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub scopes: &'static [&'static str],
}

const WORKSPACE: &[&str] = &["WORKSPACE"];
const SOURCES: &[&str] = &["WORKSPACE", "SOURCE"];
const FUNCTIONS: &[&str] = &["WORKSPACE", "FUNCTION"];
const WAREHOUSES: &[&str] = &["WORKSPACE", "WAREHOUSE"];
const SPACES: &[&str] = &["WORKSPACE", "SPACE"];

/// Segment's built-in roles. Only two ids are published (the API reference's
/// `GET /roles` example): Minimal Workspace Access, and Workspace Owner
/// (`1WDUuRLxv84rrfCNUwvkrRtkxnS`; the owner row follows `WORKSPACE_OWNER_ROLE`
/// so the token owner's permission always names a listed role). The rest use
/// local `sgw_role_*` ids; a role id copied from a real workspace is refused
/// with a pointer to `GET /roles`.
pub const ROLES: &[RoleDef] = &[
    RoleDef {
        id: WORKSPACE_OWNER_ROLE,
        name: "Workspace Owner",
        description: "Full read and edit access to everything in the workspace, \
                      including sources, destinations, add-on products, settings and team permissions.",
        scopes: WORKSPACE,
    },
    RoleDef {
        id: "1aEWAcU0fArxScocwH9xxLgW7r3",
        name: "Minimal Workspace Access",
        description: "Access to view the workspace. Cannot view any sub resources or make changes.",
        scopes: WORKSPACE,
    },
    RoleDef {
        id: "sgw_role_source_admin",
        name: "Source Admin",
        description: "Edit access to assigned sources, their settings, connected streaming \
                      destinations, schema, transformations and live data.",
        scopes: SOURCES,
    },
    RoleDef {
        id: "sgw_role_source_read_only",
        name: "Source Read-only",
        description: "Read access to assigned sources, their settings, connected streaming \
                      destinations, schema, transformations and live data.",
        scopes: SOURCES,
    },
    RoleDef {
        id: "sgw_role_function_admin",
        name: "Function Admin",
        description: "Create, edit and delete assigned functions.",
        scopes: FUNCTIONS,
    },
    RoleDef {
        id: "sgw_role_function_read_only",
        name: "Function Read-only",
        description: "Read access to assigned functions.",
        scopes: FUNCTIONS,
    },
    RoleDef {
        id: "sgw_role_warehouse_admin",
        name: "Warehouse Admin",
        description: "Edit access to assigned warehouses and their settings.",
        scopes: WAREHOUSES,
    },
    RoleDef {
        id: "sgw_role_warehouse_read_only",
        name: "Warehouse Read-only",
        description: "Read access to assigned warehouses and their settings.",
        scopes: WAREHOUSES,
    },
    RoleDef {
        id: "sgw_role_tracking_plan_admin",
        name: "Tracking Plan Admin",
        description: "Edit access to all tracking plans.",
        scopes: WORKSPACE,
    },
    RoleDef {
        id: "sgw_role_tracking_plan_read_only",
        name: "Tracking Plan Read-only",
        description: "Read access to all tracking plans.",
        scopes: WORKSPACE,
    },
    RoleDef {
        id: "sgw_role_engage_admin",
        name: "Unify and Engage Admin",
        description: "Edit access to assigned spaces, their audiences, traits and settings.",
        scopes: SPACES,
    },
    RoleDef {
        id: "sgw_role_engage_user",
        name: "Unify and Engage User",
        description: "Edit access to audiences and traits in assigned spaces, not their settings.",
        scopes: SPACES,
    },
    RoleDef {
        id: "sgw_role_engage_read_only",
        name: "Unify and Engage Read-only",
        description: "Read access to assigned spaces, their audiences and traits.",
        scopes: SPACES,
    },
    RoleDef {
        id: "sgw_role_identity_admin",
        name: "Identity Admin",
        description: "Edit access to identity resolution settings.",
        scopes: WORKSPACE,
    },
    RoleDef {
        id: "sgw_role_privacy_admin",
        name: "End User Privacy Admin",
        description: "Edit access to end-user privacy settings and deletion requests.",
        scopes: WORKSPACE,
    },
];

/// The role with this id, when it is one of [`ROLES`].
pub fn known_role(id: &str) -> Option<&'static RoleDef> {
    ROLES.iter().find(|r| r.id == id)
}
