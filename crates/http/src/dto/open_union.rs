//! Open unions: a documented set of shapes told apart by `type`, plus a catch-all for the shapes
//! Meta adds later, so that the schema describes the JSON without refusing what it does not model.
//!
//! `anyOf` rather than `oneOf`: a known shape also matches the catch-all, and a payload of a
//! known `type` that lacks its documented member (kept as Meta sent it) matches only the
//! catch-all; either way exactly the answers the server gives validate.

use utoipa::openapi::schema::{
    AdditionalProperties, AnyOfBuilder, ObjectBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::{Ref, RefOr};

/// The union of the known shapes (a schema named `known`) and any object: one with a string
/// `type` when `type_required`, else one whose `type`, if any, may hold anything.
pub(crate) fn open_union(
    known: &str,
    description: &str,
    other_description: &str,
    type_required: bool,
) -> RefOr<Schema> {
    let mut other = ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::Object))
        .description(Some(other_description))
        .additional_properties(Some(AdditionalProperties::FreeForm(true)));
    // Where `type` is optional the server passes the object through whatever `type` holds, so
    // the catch-all must not constrain it either (schemathesis sends `{"type": {}}` and expects
    // a refusal the server does not give).
    if type_required {
        other = other
            .property(
                "type",
                ObjectBuilder::new().schema_type(SchemaType::Type(Type::String)),
            )
            .required("type");
    }
    AnyOfBuilder::new()
        .item(Ref::from_schema_name(known))
        .item(other)
        .description(Some(description))
        .into()
}

/// Implements `ToSchema` for a documentation type whose schema is [`open_union`] over the
/// tagged enum `$known`, registering `$known` and what it names.
macro_rules! open_union_schema {
    ($name:ident, $known:ty, $description:expr, $other:expr, type_required = $required:expr) => {
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::dto::open_union::open_union(
                    &<$known as utoipa::ToSchema>::name(),
                    $description,
                    $other,
                    $required,
                )
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }

            fn schemas(
                schemas: &mut Vec<(
                    String,
                    utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
                )>,
            ) {
                schemas.push((
                    <$known as utoipa::ToSchema>::name().into_owned(),
                    <$known as utoipa::PartialSchema>::schema(),
                ));
                <$known as utoipa::ToSchema>::schemas(schemas);
            }
        }
    };
}
pub(crate) use open_union_schema;
