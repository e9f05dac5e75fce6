//! One pattern for every closed set of values that is stored and sent as text (roles,
//! organization kinds, request statuses, instance phases, delivery states, ...).
//!
//! ```ignore
//! text_enum! {
//!     /// A member's role in an organization, strongest first.
//!     pub enum Role { Owner = "owner", Admin = "admin", Member = "member", Viewer = "viewer" }
//! }
//! ```
//!
//! gives `Role::ALL`, `as_str`, `parse` (exact match, `None` otherwise), `Display`,
//! `FromStr`, serde as the same text, and `TryFrom<String>`, so a row struct decodes the
//! column with `#[sqlx(try_from = "String")]` and an unknown stored value is a decode error
//! instead of a silent default. On the server it is also a `utoipa` schema (a string enum)
//! for the OpenAPI document. Match on the enum exhaustively: no catch-all arm.

/// A stored or received text that names no value of the enum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

/// Declares a text-valued enum; see the module documentation.
#[macro_export]
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($text),+].len()] = [$($name::$variant),+];

            /// The stored and transmitted text.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value named by `text` exactly; `None` for anything else.
            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::text_enum::UnknownValue;

            fn from_str(text: &str) -> Result<$name, $crate::text_enum::UnknownValue> {
                $name::parse(text).ok_or_else(|| $crate::text_enum::UnknownValue {
                    kind: stringify!($name),
                    value: text.to_owned(),
                })
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::text_enum::UnknownValue;

            fn try_from(text: String) -> Result<$name, $crate::text_enum::UnknownValue> {
                text.parse()
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        /// In the OpenAPI document: a string, one of the texts.
        #[cfg(feature = "ssr")]
        impl ::utoipa::PartialSchema for $name {
            fn schema() -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
                ::utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(::utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        #[cfg(feature = "ssr")]
        impl ::utoipa::ToSchema for $name {}

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                $name::parse(&text).ok_or_else(|| {
                    <D::Error as ::serde::de::Error>::unknown_variant(&text, &[$($text),+])
                })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    text_enum! {
        /// A test enum.
        enum Colour { Red = "red", DarkBlue = "dark_blue" }
    }

    #[test]
    fn round_trips_every_way() {
        for c in Colour::ALL {
            assert_eq!(Colour::parse(c.as_str()), Some(c));
            assert_eq!(c.to_string().parse::<Colour>(), Ok(c));
            assert_eq!(Colour::try_from(c.as_str().to_owned()), Ok(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(serde_json::from_str::<Colour>(&json).unwrap(), c);
        }
        assert_eq!(Colour::ALL.len(), 2);
    }

    #[test]
    fn unknown_text_is_refused() {
        assert_eq!(Colour::parse("Red"), None);
        assert_eq!(Colour::parse(""), None);
        let err = "blue".parse::<Colour>().unwrap_err();
        assert_eq!(err.kind, "Colour");
        assert!(serde_json::from_str::<Colour>("\"blue\"").is_err());
    }
}
