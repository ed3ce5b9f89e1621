//! The schema of a template's `components`, as the Cloud API takes them: header, body and button
//! components with their parameters. Documentation types only: the send route passes the
//! components through exactly as the client sent them, and the Cloud API (or the simulator)
//! judges them, so every shape here is open to the fields and types Meta adds.
#![allow(dead_code)] // The types exist for their schemas; nothing is built from them.

use utoipa::ToSchema;

use super::open_union::open_union_schema;

/// One of a template's components. Known shapes: `header`, `body` and `button` with their
/// `parameters`; any other object is passed on as given.
#[derive(Debug)]
pub struct TemplateComponent;

open_union_schema!(
    TemplateComponent,
    KnownTemplateComponent,
    "A template component, passed to the Cloud API as given: `header`, `body` or `button` with its `parameters`, or another component Meta defines.",
    "Another component (for example `carousel` or `limited_time_offer`), passed on as given.",
    type_required = false
);

/// The components Switchboard documents, told apart by `type`.
#[derive(Debug, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum KnownTemplateComponent {
    /// The values of the header's variable (text, or the image, video, document or location).
    Header { parameters: Vec<TemplateParameter> },
    /// The values of the body's `{{1}}`.. or `{{name}}` variables, in order.
    Body { parameters: Vec<TemplateParameter> },
    /// The value of one button's variable.
    Button {
        /// The button's kind: `quick_reply`, `url`, `copy_code`, `flow`, `catalog`, ...
        #[schema(example = "quick_reply")]
        sub_type: String,
        /// The button's position, from 0 (Meta takes a number or a string of digits).
        #[schema(schema_with = button_index)]
        index: String,
        parameters: Vec<ButtonParameter>,
    },
}

fn button_index() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type};
    let one_of = OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::Integer))
                .minimum(Some(0)),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::String))
                .pattern(Some("^[0-9]+$")),
        )
        .description(Some(
            "The button's position, from 0 (Meta takes a number or a string of digits).",
        ))
        .build();
    Schema::OneOf(one_of)
}

/// A header or body parameter.
#[derive(Debug)]
pub struct TemplateParameter;

open_union_schema!(
    TemplateParameter,
    KnownTemplateParameter,
    "A value for one of the template's variables: text, currency, date_time, image, document, video or location, or another type Meta defines.",
    "Another parameter type, passed on as given.",
    type_required = false
);

/// The header and body parameters Switchboard documents, told apart by `type`.
#[derive(Debug, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum KnownTemplateParameter {
    Text {
        #[schema(example = "42")]
        text: String,
        /// The variable's name, for a template with named (`{{name}}`) variables.
        parameter_name: Option<String>,
    },
    Currency {
        currency: CurrencyParameter,
        parameter_name: Option<String>,
    },
    DateTime {
        date_time: DateTimeParameter,
        parameter_name: Option<String>,
    },
    Image {
        image: MediaParameter,
    },
    Document {
        document: MediaParameter,
    },
    Video {
        video: MediaParameter,
    },
    Location {
        location: LocationParameter,
    },
}

/// An amount of money.
#[derive(Debug, ToSchema)]
pub struct CurrencyParameter {
    /// Shown where the amount cannot be localized.
    #[schema(example = "$100.99")]
    pub fallback_value: String,
    /// ISO 4217.
    #[schema(example = "USD")]
    pub code: String,
    /// The amount times 1000.
    #[schema(example = 100990)]
    pub amount_1000: i64,
}

/// A date and time, shown as given.
#[derive(Debug, ToSchema)]
pub struct DateTimeParameter {
    #[schema(example = "February 25, 1977")]
    pub fallback_value: String,
}

/// A file for a media header: by uploaded media `id` or by `link`.
#[derive(Debug, ToSchema)]
pub struct MediaParameter {
    pub id: Option<String>,
    pub link: Option<String>,
    /// Documents only.
    pub filename: Option<String>,
    pub caption: Option<String>,
}

/// A place for a location header.
#[derive(Debug, ToSchema)]
pub struct LocationParameter {
    pub latitude: f64,
    pub longitude: f64,
    pub name: Option<String>,
    pub address: Option<String>,
}

/// A button's parameter.
#[derive(Debug)]
pub struct ButtonParameter;

open_union_schema!(
    ButtonParameter,
    KnownButtonParameter,
    "A button's value: the `payload` of a quick reply, the `text` a URL ends with, a `coupon_code`, or another type Meta defines.",
    "Another button parameter (for example `action`), passed on as given.",
    type_required = false
);

/// The button parameters Switchboard documents, told apart by `type`.
#[derive(Debug, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum KnownButtonParameter {
    /// Sent back in the customer's `button` message when they press a quick reply.
    Payload { payload: String },
    /// The variable suffix of a URL button.
    Text { text: String },
    /// The code a copy-code button copies.
    CouponCode { coupon_code: String },
}
