//! Defaults per catalog service: who owns its planned work and which checklist template its
//! work orders start from. A contract service's `params` may override both.

/// The owner role of a service's planned work: field engineers (`ce`) for hands-on hardware
/// work, customer service engineers (`cse`) for system checks, the account's ASE otherwise.
pub fn default_owner_role(service: &str) -> &'static str {
    match service {
        "periodic_inspection"
        | "periodic_maintenance"
        | "preventive_maintenance"
        | "equipment_management"
        | "hardware_investigation"
        | "equipment_replacement"
        | "onsite_recovery" => "ce",
        "system_inspection"
        | "network_inspection"
        | "security_inspection"
        | "remote_periodic_inspection"
        | "patch_info"
        | "patch_installation"
        | "log_diagnosis"
        | "performance_check"
        | "update_information"
        | "utilization_analysis"
        | "environment_management" => "cse",
        _ => "ase",
    }
}

/// The checklist template code for a service's work orders, if one fits.
pub fn default_template(service: &str) -> Option<&'static str> {
    Some(match service {
        "system_inspection" | "remote_periodic_inspection" => "system_inspection",
        "network_inspection" => "network_inspection",
        "security_inspection" => "security_inspection",
        "periodic_inspection" | "periodic_maintenance" | "preventive_maintenance" => {
            "hardware_inspection"
        }
        "environment_assessment" | "environment_management" => "environment_assessment",
        "patch_installation" => "patch_installation",
        _ => return None,
    })
}
