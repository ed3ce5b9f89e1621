//! The mock Cloud API provider, used when `SWITCHBOARD_WHATSAPP_PROVIDER=mock` (the default).

/// The business number a fresh install in mock mode gets, so a new user can try the product
/// at once. The phone number is in the 555-01xx range reserved for fiction; the ids only need
/// to look like Meta's (decimal digits).
#[derive(Debug, Clone, Copy)]
pub struct DemoNumber {
    pub name: &'static str,
    pub display_phone_number: &'static str,
    pub phone_number_id: &'static str,
    pub waba_id: &'static str,
}

pub const DEMO_NUMBER: DemoNumber = DemoNumber {
    name: "Demo inbox (mock WhatsApp)",
    display_phone_number: "+15550100001",
    phone_number_id: "100000000000001",
    waba_id: "200000000000001",
};
