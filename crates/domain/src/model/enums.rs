//! Closed vocabularies of the foundation model, each with its wire spelling.
use serde::{Deserialize, Serialize};

macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The wire and database spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "unknown {} `{other}`; expected one of: {}",
                        stringify!($name).to_lowercase(),
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary!(
    /// A user's role. All but `Customer` are staff of the provider.
    Role { Admin = "admin", Front = "front", Ase = "ase", Cse = "cse", Ce = "ce", Specialist = "specialist", Customer = "customer" }
);

impl Role {
    /// Whether this role belongs to the provider's staff.
    pub fn is_staff(self) -> bool {
        self != Role::Customer
    }
}

vocabulary!(
    /// What an asset is.
    AssetKind { Server = "server", NetworkDevice = "network_device", Storage = "storage", Software = "software", Service = "service", Other = "other" }
);

vocabulary!(
    /// Whether an asset is still in use.
    AssetStatus { InService = "in_service", Retired = "retired" }
);

vocabulary!(
    /// How much the customer's business suffers when the asset fails.
    Criticality { Low = "low", Medium = "medium", High = "high", Critical = "critical" }
);

vocabulary!(
    /// A directed relation `from → to`: `from` runs on / is connected to / depends on / is a member of `to`.
    RelationKind { RunsOn = "runs_on", ConnectedTo = "connected_to", DependsOn = "depends_on", MemberOf = "member_of" }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), *r);
        }
        for k in AssetKind::ALL {
            assert_eq!(k.as_str().parse::<AssetKind>().unwrap(), *k);
        }
        assert!(
            "root"
                .parse::<Role>()
                .unwrap_err()
                .contains("expected one of")
        );
        assert!(!Role::Customer.is_staff());
        assert!(Role::Ce.is_staff());
    }
}
