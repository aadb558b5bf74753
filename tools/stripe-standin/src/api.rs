//! The Stripe API subset: routing, parameter checks, the PaymentIntent state machine,
//! refunds, Connect accounts, events. Every handler runs under the state lock, so a
//! request is applied whole or not at all, like one Stripe API call.

use serde_json::{Map, Value, json};

use crate::money::{self, AmountError};
use crate::state::{AccountLink, Card, State, new_id};

/// The API version the stand-in renders objects for: the one async-stripe 1.0.0-rc.10 is
/// generated from (`stripe_shared::version::VERSION`).
pub const API_VERSION: &str = "2026-09-30.endive";

/// How long an onboarding link stays valid, as Stripe's do.
const ACCOUNT_LINK_TTL: i64 = 300;

pub type ApiResult = Result<Value, ApiError>;

/// A Stripe error answer: the HTTP status and the object under `"error"`.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    pub error: Value,
}

impl ApiError {
    pub fn new(status: u16, type_: &str, code: Option<&str>, message: String, param: Option<&str>) -> Self {
        let mut error = Map::new();
        if let Some(code) = code {
            error.insert("code".into(), json!(code));
            error.insert(
                "doc_url".into(),
                json!(format!("https://stripe.com/docs/error-codes/{}", code.replace('_', "-"))),
            );
        }
        error.insert("message".into(), json!(message));
        if let Some(param) = param {
            error.insert("param".into(), json!(param));
        }
        error.insert("type".into(), json!(type_));
        ApiError { status, error: Value::Object(error) }
    }

    pub fn invalid(message: impl Into<String>, param: Option<&str>, code: Option<&str>) -> Self {
        Self::new(400, "invalid_request_error", code, message.into(), param)
    }

    pub fn missing_resource(kind: &str, id: &str, param: &str) -> Self {
        Self::new(
            404,
            "invalid_request_error",
            Some("resource_missing"),
            format!("No such {kind}: '{id}'"),
            Some(param),
        )
    }

    pub fn internal() -> Self {
        Self::new(500, "api_error", None, "An unknown error occurred".into(), None)
    }

    pub fn unauthorized(message: String) -> Self {
        Self::new(401, "invalid_request_error", None, message, None)
    }

    pub fn with(mut self, key: &str, value: Value) -> Self {
        self.error[key] = value;
        self
    }

    pub fn body(&self) -> Value {
        json!({ "error": self.error })
    }
}

/// What one request did, beyond its answer.
pub struct Ctx {
    pub now: i64,
    /// `req_...` for API calls; none for the stand-in's own pages and controls, like
    /// Stripe's automatic events.
    pub request_id: Option<String>,
    pub idempotency_key: Option<String>,
    /// The stand-in's own address, for onboarding and authentication URLs.
    pub base_url: String,
    /// Webhook endpoints configured: each event's `pending_webhooks`.
    pub endpoints: i64,
    pub events: Vec<Value>,
    /// Set once anything changed: results of requests that changed nothing (validation
    /// errors) are not kept for idempotent replay, as on Stripe.
    pub mutated: bool,
}

impl Ctx {
    fn emit(&mut self, st: &mut State, type_: &str, object: &Value, previous: Option<Value>) {
        let mut data = json!({ "object": object });
        if let Some(previous) = previous {
            data["previous_attributes"] = previous;
        }
        let event = json!({
            "id": new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": self.now,
            "data": data,
            "livemode": false,
            "pending_webhooks": self.endpoints,
            "request": { "id": self.request_id, "idempotency_key": self.idempotency_key },
            "type": type_,
        });
        st.events.push(event.clone());
        self.events.push(event);
        self.mutated = true;
    }
}

// ---------------------------------------------------------------- parameters

type Params = Map<String, Value>;

fn known(p: &Params, allowed: &[&str]) -> Result<(), ApiError> {
    for key in p.keys() {
        if !allowed.contains(&key.as_str()) && key != "expand" {
            return Err(ApiError::invalid(
                format!("Received unknown parameter: {key}"),
                Some(key),
                Some("parameter_unknown"),
            ));
        }
    }
    Ok(())
}

fn string(p: &Params, name: &str) -> Result<Option<String>, ApiError> {
    match p.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::invalid(
            format!("Invalid string: {{...}}; must be a string for {name}"),
            Some(name),
            Some("parameter_invalid_string"),
        )),
    }
}

fn required(p: &Params, name: &str) -> Result<String, ApiError> {
    match string(p, name)? {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(ApiError::invalid(format!("Missing required param: {name}."), Some(name), Some("parameter_missing"))),
    }
}

fn integer(p: &Params, name: &str) -> Result<Option<i64>, ApiError> {
    match string(p, name)? {
        None => Ok(None),
        Some(s) => s.parse::<i64>().map(Some).map_err(|_| {
            ApiError::invalid(format!("Invalid integer: {s}"), Some(name), Some("parameter_invalid_integer"))
        }),
    }
}

fn boolean(p: &Params, name: &str) -> Result<Option<bool>, ApiError> {
    match string(p, name)?.as_deref() {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(ApiError::invalid(format!("Invalid boolean: {other}"), Some(name), None)),
    }
}

fn one_of(p: &Params, name: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
    match string(p, name)? {
        None => Ok(None),
        Some(v) if allowed.contains(&v.as_str()) => Ok(Some(v)),
        Some(v) => Err(ApiError::invalid(
            format!("Invalid {name}: {v}; must be one of {}", allowed.join(", ")),
            Some(name),
            None,
        )),
    }
}

/// `off_session`: a boolean, or `one_off` / `recurring` (both mean true).
fn off_session(p: &Params) -> Result<bool, ApiError> {
    match string(p, "off_session")?.as_deref() {
        None | Some("false") => Ok(false),
        Some("true" | "one_off" | "recurring") => Ok(true),
        Some(other) => Err(ApiError::invalid(format!("Invalid off_session: {other}"), Some("off_session"), None)),
    }
}

/// Metadata with Stripe's limits; an empty value removes the key on update.
fn merge_metadata(target: &mut Value, p: &Params) -> Result<(), ApiError> {
    let Some(given) = p.get("metadata") else { return Ok(()) };
    let given = match given {
        Value::Object(m) => m.clone(),
        Value::String(s) if s.is_empty() => {
            target["metadata"] = json!({});
            return Ok(());
        }
        _ => return Err(ApiError::invalid("Invalid hash", Some("metadata"), None)),
    };
    let mut metadata = target["metadata"].as_object().cloned().unwrap_or_default();
    for (key, value) in given {
        let Value::String(value) = value else {
            return Err(ApiError::invalid("Invalid hash", Some("metadata"), None));
        };
        if key.chars().count() > 40 {
            return Err(ApiError::invalid(
                format!("Metadata keys can have at most 40 characters; key {key} is too long."),
                Some(&format!("metadata[{key}]")),
                None,
            ));
        }
        if value.chars().count() > 500 {
            return Err(ApiError::invalid(
                format!(
                    "Metadata values can have up to 500 characters, but you passed in a value that is {} characters.",
                    value.chars().count()
                ),
                Some(&format!("metadata[{key}]")),
                None,
            ));
        }
        if value.is_empty() {
            metadata.remove(&key);
        } else {
            metadata.insert(key, json!(value));
        }
    }
    if metadata.len() > 50 {
        return Err(ApiError::invalid("You can have at most 50 metadata keys.", Some("metadata"), None));
    }
    target["metadata"] = Value::Object(metadata);
    Ok(())
}

/// `expand[]=latest_charge`: ids replaced by their objects, one level, as Stripe does.
fn expand(st: &State, mut object: Value, p: &Params) -> ApiResult {
    let Some(paths) = p.get("expand") else { return Ok(object) };
    let paths: Vec<String> = match paths {
        Value::Array(a) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        Value::String(s) => vec![s.clone()],
        _ => vec![],
    };
    for path in paths {
        let target = match object.get(&path) {
            Some(Value::String(id)) => st.object(id).cloned(),
            Some(Value::Null) => Some(Value::Null),
            _ => None,
        };
        match target {
            Some(value) => object[&path] = value,
            None => {
                return Err(ApiError::invalid(
                    format!("This property cannot be expanded ({path})."),
                    Some("expand"),
                    None,
                ));
            }
        }
    }
    Ok(object)
}

// ---------------------------------------------------------------- routing

pub fn route(st: &mut State, ctx: &mut Ctx, method: &str, path: &str, p: &Params) -> ApiResult {
    let segments: Vec<&str> = path.trim_start_matches("/v1/").trim_end_matches('/').split('/').collect();
    let result = match (method, segments.as_slice()) {
        ("POST", ["customers"]) => create_customer(st, ctx, p),
        ("GET", ["customers", id]) => get(&st.customers, "customer", id, "id"),
        ("POST", ["payment_intents"]) => create_payment_intent(st, ctx, p),
        ("GET", ["payment_intents", id]) => {
            known(p, &["client_secret"])?;
            get(&st.payment_intents, "payment_intent", id, "intent")
        }
        ("POST", ["payment_intents", id]) => update_payment_intent(st, ctx, id, p),
        ("POST", ["payment_intents", id, "confirm"]) => {
            known(p, &["payment_method", "off_session", "return_url", "client_secret", "setup_future_usage"])?;
            let sfu = one_of(p, "setup_future_usage", &["off_session", "on_session"])?;
            if let Some(sfu) = sfu {
                exists(st, id)?;
                st.payment_intents.get_mut(*id).expect("checked")["setup_future_usage"] = json!(sfu);
            }
            confirm(st, ctx, id, string(p, "payment_method")?, off_session(p)?, string(p, "return_url")?)
        }
        ("POST", ["payment_intents", id, "capture"]) => capture(st, ctx, id, p),
        ("POST", ["payment_intents", id, "cancel"]) => cancel(st, ctx, id, p),
        ("GET", ["payment_methods", id]) => get(&st.payment_methods, "PaymentMethod", id, "payment_method"),
        ("GET", ["charges", id]) => get(&st.charges, "charge", id, "charge"),
        ("POST", ["refunds"]) => create_refund(st, ctx, p),
        ("GET", ["refunds", id]) => get(&st.refunds, "refund", id, "refund"),
        ("GET", ["disputes", id]) => get(&st.disputes, "dispute", id, "dispute"),
        ("POST", ["accounts"]) => create_account(st, ctx, p),
        ("GET", ["accounts", id]) => get(&st.accounts, "account", id, "account"),
        ("POST", ["account_links"]) => create_account_link(st, ctx, p),
        ("GET", ["events", id]) => get_event(st, id),
        ("GET", ["events"]) => list_events(st, p),
        _ => Err(ApiError::new(
            404,
            "invalid_request_error",
            None,
            format!(
                "Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/."
            ),
            None,
        )),
    }?;
    expand(st, result, p)
}

fn get(map: &std::collections::BTreeMap<String, Value>, kind: &str, id: &str, param: &str) -> ApiResult {
    map.get(id).cloned().ok_or_else(|| ApiError::missing_resource(kind, id, param))
}

fn exists(st: &State, id: &str) -> Result<(), ApiError> {
    if st.payment_intents.contains_key(id) {
        Ok(())
    } else {
        Err(ApiError::missing_resource("payment_intent", id, "intent"))
    }
}

// ---------------------------------------------------------------- customers

fn create_customer(st: &mut State, ctx: &mut Ctx, p: &Params) -> ApiResult {
    known(p, &["email", "name", "description", "phone", "metadata", "preferred_locales"])?;
    let id = new_id("cus");
    let mut customer = json!({
        "id": id,
        "object": "customer",
        "address": null,
        "balance": 0,
        "created": ctx.now,
        "currency": null,
        "default_source": null,
        "delinquent": false,
        "description": string(p, "description")?,
        "discount": null,
        "email": string(p, "email")?,
        "invoice_prefix": id[4..12].to_uppercase(),
        "invoice_settings": {
            "custom_fields": null,
            "default_payment_method": null,
            "footer": null,
            "rendering_options": null
        },
        "livemode": false,
        "metadata": {},
        "name": string(p, "name")?,
        "next_invoice_sequence": 1,
        "phone": string(p, "phone")?,
        "preferred_locales": p.get("preferred_locales").cloned().unwrap_or(json!([])),
        "shipping": null,
        "tax_exempt": "none",
        "test_clock": null
    });
    merge_metadata(&mut customer, p)?;
    st.customers.insert(id, customer.clone());
    ctx.emit(st, "customer.created", &customer, None);
    Ok(customer)
}

// ---------------------------------------------------------------- payment intents

const PI_CREATE_PARAMS: &[&str] = &[
    "amount",
    "currency",
    "customer",
    "capture_method",
    "confirm",
    "off_session",
    "payment_method",
    "setup_future_usage",
    "transfer_data",
    "application_fee_amount",
    "metadata",
    "description",
    "automatic_payment_methods",
    "payment_method_types",
    "receipt_email",
    "statement_descriptor_suffix",
    "transfer_group",
    "on_behalf_of",
    "return_url",
];

fn check_currency(p: &Params) -> Result<String, ApiError> {
    let currency = required(p, "currency")?.to_lowercase();
    if !money::supported(&currency) {
        return Err(ApiError::invalid(
            format!(
                "Invalid currency: {currency}. Stripe currently supports these currencies: usd, eur, gbp, jpy, ... (see https://stripe.com/docs/currencies)"
            ),
            Some("currency"),
            None,
        ));
    }
    Ok(currency)
}

fn check_amount(amount: i64, currency: &str, param: &str) -> Result<(), ApiError> {
    money::check_charge_amount(amount, currency).map_err(|e| match e {
        AmountError::TooSmall(m) => ApiError::invalid(m, Some(param), Some("amount_too_small")),
        AmountError::TooLarge(m) => ApiError::invalid(m, Some(param), Some("amount_too_large")),
        AmountError::Invalid(m) => ApiError::invalid(m, Some(param), Some("invalid_charge_amount")),
    })
}

fn create_payment_intent(st: &mut State, ctx: &mut Ctx, p: &Params) -> ApiResult {
    known(p, PI_CREATE_PARAMS)?;
    let amount = integer(p, "amount")?.ok_or_else(|| {
        ApiError::invalid("Missing required param: amount.", Some("amount"), Some("parameter_missing"))
    })?;
    let currency = check_currency(p)?;
    check_amount(amount, &currency, "amount")?;
    let capture_method = one_of(p, "capture_method", &["automatic", "automatic_async", "manual"])?
        .unwrap_or_else(|| "automatic_async".into());
    let setup_future_usage = one_of(p, "setup_future_usage", &["off_session", "on_session"])?;
    let confirm_now = boolean(p, "confirm")?.unwrap_or(false);
    let off_session = off_session(p)?;
    if p.contains_key("off_session") && !confirm_now {
        return Err(ApiError::invalid(
            "You may only specify `off_session` when `confirm` is true.",
            Some("off_session"),
            None,
        ));
    }
    let customer = string(p, "customer")?;
    if let Some(c) = &customer
        && !st.customers.contains_key(c)
    {
        return Err(ApiError::missing_resource("customer", c, "customer"));
    }
    let payment_method_types = match (p.get("payment_method_types"), p.get("automatic_payment_methods")) {
        (Some(Value::Array(types)), _) => {
            for t in types {
                if t.as_str() != Some("card") {
                    return Err(ApiError::invalid(
                        format!(
                            "The payment method type {t} is invalid or not activated on this stand-in (only card is)."
                        ),
                        Some("payment_method_types"),
                        Some("payment_method_invalid_parameter"),
                    ));
                }
            }
            json!(["card"])
        }
        (Some(_), _) => {
            return Err(ApiError::invalid("Invalid array", Some("payment_method_types"), None));
        }
        _ => json!(["card"]),
    };
    let automatic = match p.get("automatic_payment_methods") {
        Some(Value::Object(m)) => {
            let enabled = m.get("enabled").and_then(Value::as_str) == Some("true");
            json!({ "allow_redirects": m.get("allow_redirects").cloned().unwrap_or(json!("always")), "enabled": enabled })
        }
        Some(_) => return Err(ApiError::invalid("Invalid hash", Some("automatic_payment_methods"), None)),
        None if p.contains_key("payment_method_types") => Value::Null,
        // Since 2023-08-16 Stripe enables automatic payment methods by default.
        None => json!({ "allow_redirects": "always", "enabled": true }),
    };
    let transfer_data = match p.get("transfer_data") {
        None => Value::Null,
        Some(Value::Object(m)) => {
            let destination = m.get("destination").and_then(Value::as_str).ok_or_else(|| {
                ApiError::invalid(
                    "Missing required param: transfer_data[destination].",
                    Some("transfer_data[destination]"),
                    Some("parameter_missing"),
                )
            })?;
            let account = st.accounts.get(destination).ok_or_else(|| {
                ApiError::invalid(
                    format!("No such destination: '{destination}'"),
                    Some("transfer_data[destination]"),
                    Some("resource_missing"),
                )
            })?;
            if account["capabilities"]["transfers"] != json!("active") {
                return Err(ApiError::invalid(
                    format!(
                        "Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments ({destination})"
                    ),
                    Some("transfer_data[destination]"),
                    Some("insufficient_capabilities_for_transfer"),
                ));
            }
            let mut td = json!({ "destination": destination });
            if let Some(a) = m.get("amount").and_then(Value::as_str) {
                td["amount"] = json!(a.parse::<i64>().map_err(|_| ApiError::invalid(
                    format!("Invalid integer: {a}"),
                    Some("transfer_data[amount]"),
                    Some("parameter_invalid_integer")
                ))?);
            }
            td
        }
        Some(_) => return Err(ApiError::invalid("Invalid hash", Some("transfer_data"), None)),
    };
    let application_fee_amount = integer(p, "application_fee_amount")?;
    if let Some(fee) = application_fee_amount {
        if transfer_data.is_null() {
            return Err(ApiError::invalid(
                "Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment (using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`).",
                Some("application_fee_amount"),
                None,
            ));
        }
        if fee < 0 || fee > amount {
            return Err(ApiError::invalid(
                "The application fee amount must be a non-negative integer no greater than the amount.",
                Some("application_fee_amount"),
                None,
            ));
        }
    }
    let id = new_id("pi");
    let secret = new_id("secret");
    let mut pi = json!({
        "id": id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": { "tip": {} },
        "amount_received": 0,
        "application": null,
        "application_fee_amount": application_fee_amount,
        "automatic_payment_methods": automatic,
        "canceled_at": null,
        "cancellation_reason": null,
        "capture_method": capture_method,
        "client_secret": format!("{id}_{secret}"),
        "confirmation_method": "automatic",
        "created": ctx.now,
        "currency": currency,
        "customer": customer,
        "description": string(p, "description")?,
        "excluded_payment_method_types": null,
        "last_payment_error": null,
        "latest_charge": null,
        "livemode": false,
        "metadata": {},
        "next_action": null,
        "on_behalf_of": null,
        "payment_method": null,
        "payment_method_configuration_details": null,
        "payment_method_options": {
            "card": {
                "installments": null,
                "mandate_options": null,
                "network": null,
                "request_three_d_secure": "automatic"
            }
        },
        "payment_method_types": payment_method_types,
        "processing": null,
        "receipt_email": string(p, "receipt_email")?,
        "review": null,
        "setup_future_usage": setup_future_usage,
        "shipping": null,
        "source": null,
        "statement_descriptor": null,
        "statement_descriptor_suffix": string(p, "statement_descriptor_suffix")?,
        "status": "requires_payment_method",
        "transfer_data": transfer_data,
        "transfer_group": string(p, "transfer_group")?
    });
    merge_metadata(&mut pi, p)?;
    let payment_method = string(p, "payment_method")?;
    if let Some(pm) = &payment_method {
        let pm = resolve_payment_method(st, ctx, pm, pi["customer"].as_str())?;
        pi["payment_method"] = json!(pm);
        pi["status"] = json!("requires_confirmation");
    }
    st.payment_intents.insert(id.clone(), pi.clone());
    ctx.emit(st, "payment_intent.created", &pi, None);
    if confirm_now {
        return confirm(st, ctx, &id, None, off_session, string(p, "return_url")?);
    }
    Ok(pi)
}

fn update_payment_intent(st: &mut State, ctx: &mut Ctx, id: &str, p: &Params) -> ApiResult {
    known(
        p,
        &[
            "amount",
            "metadata",
            "description",
            "application_fee_amount",
            "payment_method",
            "setup_future_usage",
            "customer",
            "receipt_email",
        ],
    )?;
    let mut pi = get(&st.payment_intents, "payment_intent", id, "intent")?;
    let status = pi["status"].as_str().unwrap_or_default().to_string();
    let editable = ["requires_payment_method", "requires_confirmation", "requires_action"];
    if (p.contains_key("amount") || p.contains_key("payment_method")) && !editable.contains(&status.as_str()) {
        return Err(unexpected_state(&pi, "update", &editable));
    }
    if let Some(amount) = integer(p, "amount")? {
        check_amount(amount, pi["currency"].as_str().unwrap_or("usd"), "amount")?;
        pi["amount"] = json!(amount);
    }
    if let Some(fee) = integer(p, "application_fee_amount")? {
        pi["application_fee_amount"] = json!(fee);
    }
    if let Some(d) = string(p, "description")? {
        pi["description"] = json!(d);
    }
    if let Some(e) = string(p, "receipt_email")? {
        pi["receipt_email"] = json!(e);
    }
    if let Some(c) = string(p, "customer")? {
        if !st.customers.contains_key(&c) {
            return Err(ApiError::missing_resource("customer", &c, "customer"));
        }
        pi["customer"] = json!(c);
    }
    if let Some(s) = one_of(p, "setup_future_usage", &["off_session", "on_session"])? {
        pi["setup_future_usage"] = json!(s);
    }
    merge_metadata(&mut pi, p)?;
    if let Some(pm) = string(p, "payment_method")? {
        let pm = resolve_payment_method(st, ctx, &pm, pi["customer"].as_str())?;
        pi["payment_method"] = json!(pm);
        pi["status"] = json!("requires_confirmation");
    }
    st.payment_intents.insert(id.to_string(), pi.clone());
    ctx.mutated = true;
    Ok(pi)
}

fn unexpected_state(pi: &Value, action: &str, allowed: &[&str]) -> ApiError {
    let status = pi["status"].as_str().unwrap_or_default();
    let message = match action {
        "capture" => format!(
            "This PaymentIntent could not be captured because it has a status of {status}. Only a PaymentIntent with one of the following statuses may be captured: {}.",
            allowed.join(", ")
        ),
        "cancel" => format!(
            "You cannot cancel this PaymentIntent because it has a status of {status}. Only a PaymentIntent with one of the following statuses may be canceled: {}.",
            allowed.join(", ")
        ),
        _ => format!(
            "You cannot {action} this PaymentIntent because it has a status of {status}. Only a PaymentIntent with one of the following statuses may be {action}ed: {}.",
            allowed.join(", ")
        ),
    };
    ApiError::invalid(message, None, Some("payment_intent_unexpected_state")).with("payment_intent", pi.clone())
}

/// A `pm_card_*` token makes a new PaymentMethod, as on Stripe; a `pm_...` id must exist
/// and be usable by this customer.
fn resolve_payment_method(
    st: &mut State,
    ctx: &mut Ctx,
    given: &str,
    customer: Option<&str>,
) -> Result<String, ApiError> {
    if let Some(card) = Card::from_token(given) {
        let id = new_id("pm");
        let pm = payment_method_object(&id, card, ctx.now);
        st.payment_methods.insert(id.clone(), pm);
        st.cards.insert(id.clone(), card);
        ctx.mutated = true;
        return Ok(id);
    }
    let pm = st
        .payment_methods
        .get(given)
        .ok_or_else(|| ApiError::missing_resource("PaymentMethod", given, "payment_method"))?;
    match (pm["customer"].as_str(), customer) {
        (Some(owner), Some(c)) if owner != c => Err(ApiError::invalid(
            format!(
                "The provided PaymentMethod {given} belongs to customer {owner}, not to the PaymentIntent's customer {c}."
            ),
            Some("payment_method"),
            None,
        )),
        (Some(_), None) => Err(ApiError::invalid(
            "The provided PaymentMethod is attached to a Customer; pass that `customer` with the PaymentIntent to use it.",
            Some("payment_method"),
            None,
        )),
        (None, _) if st.consumed.contains(given) => Err(ApiError::invalid(
            "The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.",
            Some("payment_method"),
            None,
        )),
        _ => Ok(given.to_string()),
    }
}

fn payment_method_object(id: &str, card: Card, now: i64) -> Value {
    json!({
        "id": id,
        "object": "payment_method",
        "allow_redisplay": "unspecified",
        "billing_details": {
            "address": { "city": null, "country": null, "line1": null, "line2": null, "postal_code": null, "state": null },
            "email": null,
            "name": null,
            "phone": null,
            "tax_id": null
        },
        "card": {
            "brand": card.brand(),
            "checks": { "address_line1_check": null, "address_postal_code_check": null, "cvc_check": "pass" },
            "country": "US",
            "display_brand": card.brand(),
            "exp_month": 12,
            "exp_year": 2034,
            "fingerprint": format!("standin{}", card.last4()),
            "funding": "credit",
            "generated_from": null,
            "last4": card.last4(),
            "networks": { "available": [card.brand()], "preferred": null },
            "regulated_status": "unregulated",
            "three_d_secure_usage": { "supported": true },
            "wallet": null
        },
        "created": now,
        "customer": null,
        "livemode": false,
        "metadata": {},
        "type": "card"
    })
}

fn confirm(
    st: &mut State,
    ctx: &mut Ctx,
    id: &str,
    payment_method: Option<String>,
    off_session: bool,
    return_url: Option<String>,
) -> ApiResult {
    let mut pi = get(&st.payment_intents, "payment_intent", id, "intent")?;
    let confirmable = ["requires_payment_method", "requires_confirmation", "requires_action"];
    if !confirmable.contains(&pi["status"].as_str().unwrap_or_default()) {
        return Err(unexpected_state(&pi, "confirm", &confirmable));
    }
    if let Some(pm) = payment_method {
        let pm = resolve_payment_method(st, ctx, &pm, pi["customer"].as_str())?;
        pi["payment_method"] = json!(pm);
    }
    let Some(pm_id) = pi["payment_method"].as_str().map(str::to_string) else {
        return Err(ApiError::invalid(
            "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method or ConfirmationToken.",
            None,
            Some("payment_intent_unexpected_state"),
        )
        .with("payment_intent", pi));
    };
    ctx.mutated = true;
    let card = st.cards.get(&pm_id).copied().unwrap_or(Card::Visa);
    match card {
        Card::Visa | Card::Mastercard => Ok(authorize(st, ctx, pi)),
        Card::Declined => Err(decline(st, ctx, pi, "card_declined", "generic_decline", "Your card was declined.")),
        Card::InsufficientFunds => {
            Err(decline(st, ctx, pi, "card_declined", "insufficient_funds", "Your card has insufficient funds."))
        }
        Card::AuthenticationRequired if off_session => Err(decline(
            st,
            ctx,
            pi,
            "authentication_required",
            "authentication_required",
            "Your card was declined. This transaction requires authentication.",
        )),
        Card::AuthenticationRequired => {
            let secret = pi["client_secret"].as_str().unwrap_or_default().to_string();
            pi["status"] = json!("requires_action");
            pi["last_payment_error"] = Value::Null;
            pi["next_action"] = json!({
                "type": "redirect_to_url",
                "redirect_to_url": {
                    "return_url": return_url,
                    "url": format!("{}/standin/authenticate/{id}?client_secret={secret}", ctx.base_url)
                }
            });
            st.payment_intents.insert(id.to_string(), pi.clone());
            ctx.emit(st, "payment_intent.requires_action", &pi, None);
            Ok(pi)
        }
    }
}

/// The customer passed (or failed) the bank's challenge on the stand-in's page.
pub fn authenticate(st: &mut State, ctx: &mut Ctx, id: &str, success: bool) -> ApiResult {
    let mut pi = get(&st.payment_intents, "payment_intent", id, "intent")?;
    if pi["status"] != json!("requires_action") {
        return Err(unexpected_state(&pi, "authenticate", &["requires_action"]));
    }
    ctx.mutated = true;
    pi["next_action"] = Value::Null;
    if success {
        return Ok(authorize(st, ctx, pi));
    }
    let pm = st.payment_methods.get(pi["payment_method"].as_str().unwrap_or_default()).cloned();
    pi["status"] = json!("requires_payment_method");
    pi["payment_method"] = Value::Null;
    pi["last_payment_error"] = json!({
        "code": "payment_intent_authentication_failure",
        "doc_url": "https://stripe.com/docs/error-codes/payment-intent-authentication-failure",
        "message": "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.",
        "payment_method": pm,
        "type": "invalid_request_error"
    });
    st.payment_intents.insert(id.to_string(), pi.clone());
    ctx.emit(st, "payment_intent.payment_failed", &pi, None);
    Ok(pi)
}

fn card_details(st: &State, pm_id: &str) -> Value {
    let card = &st.payment_methods[pm_id]["card"];
    json!({
        "card": {
            "amount_authorized": null,
            "authorization_code": null,
            "brand": card["brand"],
            "checks": card["checks"],
            "country": card["country"],
            "exp_month": card["exp_month"],
            "exp_year": card["exp_year"],
            "extended_authorization": null,
            "fingerprint": card["fingerprint"],
            "funding": card["funding"],
            "incremental_authorization": null,
            "installments": null,
            "last4": card["last4"],
            "mandate": null,
            "multicapture": null,
            "network": card["brand"],
            "network_token": null,
            "network_transaction_id": "000000000000000",
            "overcapture": null,
            "regulated_status": "unregulated",
            "three_d_secure": null,
            "wallet": null
        },
        "type": "card"
    })
}

fn new_charge(st: &State, ctx: &Ctx, pi: &Value, outcome: Value, status: &str) -> Value {
    let pm_id = pi["payment_method"].as_str().unwrap_or_default();
    let mut details = card_details(st, pm_id);
    if status == "succeeded" {
        details["card"]["amount_authorized"] = pi["amount"].clone();
        details["card"]["authorization_code"] = json!("123456");
    }
    let id = new_id("ch");
    json!({
        "id": id,
        "object": "charge",
        "amount": pi["amount"],
        "amount_captured": 0,
        "amount_refunded": 0,
        "application": null,
        "application_fee": null,
        "application_fee_amount": pi["application_fee_amount"],
        "balance_transaction": null,
        "billing_details": st.payment_methods[pm_id]["billing_details"],
        "calculated_statement_descriptor": "CAPTURE MOMENTS",
        "captured": false,
        "created": ctx.now,
        "currency": pi["currency"],
        "customer": pi["customer"],
        "description": pi["description"],
        "disputed": false,
        "failure_balance_transaction": null,
        "failure_code": null,
        "failure_message": null,
        "fraud_details": {},
        "livemode": false,
        "metadata": pi["metadata"],
        "on_behalf_of": null,
        "outcome": outcome,
        "paid": status == "succeeded",
        "payment_intent": pi["id"],
        "payment_method": pm_id,
        "payment_method_details": details,
        "receipt_email": pi["receipt_email"],
        "receipt_number": null,
        "receipt_url": format!("{}/standin/receipts/{id}", ctx.base_url),
        "refunded": false,
        "review": null,
        "shipping": null,
        "source": null,
        "source_transfer": null,
        "statement_descriptor": null,
        "statement_descriptor_suffix": pi["statement_descriptor_suffix"],
        "status": status,
        "transfer": null,
        "transfer_data": if pi["transfer_data"].is_null() { Value::Null } else {
            json!({ "amount": pi["transfer_data"]["amount"], "destination": pi["transfer_data"]["destination"] })
        },
        "transfer_group": pi["transfer_group"]
    })
}

/// Money moves on capture: balance transaction, and for destination charges the
/// transfer and application fee.
fn mark_captured(charge: &mut Value, amount: i64) {
    charge["captured"] = json!(true);
    charge["amount_captured"] = json!(amount);
    // Stripe reports the released, uncaptured part of a partial capture as refunded.
    charge["amount_refunded"] = json!(charge["amount"].as_i64().unwrap_or(0) - amount);
    charge["balance_transaction"] = json!(new_id("txn"));
    if !charge["transfer_data"].is_null() {
        charge["transfer"] = json!(new_id("tr"));
        if charge["application_fee_amount"].as_i64().is_some() {
            charge["application_fee"] = json!(new_id("fee"));
        }
    }
}

fn authorize(st: &mut State, ctx: &mut Ctx, mut pi: Value) -> Value {
    let outcome = json!({
        "advice_code": null,
        "network_advice_code": null,
        "network_decline_code": null,
        "network_status": "approved_by_network",
        "reason": null,
        "risk_level": "normal",
        "risk_score": 32,
        "seller_message": "Payment complete.",
        "type": "authorized"
    });
    let mut charge = new_charge(st, ctx, &pi, outcome, "succeeded");
    let amount = pi["amount"].as_i64().unwrap_or(0);
    let manual = pi["capture_method"] == json!("manual");
    if !manual {
        mark_captured(&mut charge, amount);
    }
    pi["latest_charge"] = charge["id"].clone();
    pi["last_payment_error"] = Value::Null;
    pi["next_action"] = Value::Null;
    let pm_id = pi["payment_method"].as_str().unwrap_or_default().to_string();
    match (pi["customer"].as_str(), pi["setup_future_usage"].is_null()) {
        (Some(customer), false) => {
            if let Some(pm) = st.payment_methods.get_mut(&pm_id) {
                pm["customer"] = json!(customer);
            }
        }
        _ => {
            if st.payment_methods.get(&pm_id).is_some_and(|pm| pm["customer"].is_null()) {
                st.consumed.insert(pm_id);
            }
        }
    }
    st.charges.insert(charge["id"].as_str().unwrap_or_default().to_string(), charge.clone());
    ctx.emit(st, "charge.succeeded", &charge, None);
    let id = pi["id"].as_str().unwrap_or_default().to_string();
    if manual {
        pi["status"] = json!("requires_capture");
        pi["amount_capturable"] = json!(amount);
        st.payment_intents.insert(id, pi.clone());
        ctx.emit(st, "payment_intent.amount_capturable_updated", &pi, None);
    } else {
        pi["status"] = json!("succeeded");
        pi["amount_received"] = json!(amount);
        st.payment_intents.insert(id, pi.clone());
        ctx.emit(st, "payment_intent.succeeded", &pi, None);
    }
    pi
}

/// A failed attempt: a failed charge, the PI back to `requires_payment_method` with
/// `last_payment_error`, and the 402 card error Stripe answers.
fn decline(st: &mut State, ctx: &mut Ctx, mut pi: Value, code: &str, decline_code: &str, message: &str) -> ApiError {
    let outcome = json!({
        "advice_code": if decline_code == "insufficient_funds" { json!("try_again_later") } else { json!("do_not_try_again") },
        "network_advice_code": null,
        "network_decline_code": null,
        "network_status": "declined_by_network",
        "reason": decline_code,
        "risk_level": "normal",
        "risk_score": 32,
        "seller_message": "The bank did not return any further details with this decline.",
        "type": "issuer_declined"
    });
    let mut charge = new_charge(st, ctx, &pi, outcome, "failed");
    charge["failure_code"] = json!(code);
    charge["failure_message"] = json!(message);
    let pm_id = pi["payment_method"].as_str().unwrap_or_default().to_string();
    let pm = st.payment_methods.get(&pm_id).cloned().unwrap_or(Value::Null);
    if pm["customer"].is_null() {
        st.consumed.insert(pm_id);
    }
    let mut error = ApiError::new(402, "card_error", Some(code), message.to_string(), None)
        .with("charge", charge["id"].clone())
        .with("decline_code", json!(decline_code))
        .with("payment_method", pm);
    if code == "card_declined" {
        error = error.with("advice_code", charge["outcome"]["advice_code"].clone());
    }
    pi["status"] = json!("requires_payment_method");
    pi["payment_method"] = Value::Null;
    pi["next_action"] = Value::Null;
    pi["latest_charge"] = charge["id"].clone();
    pi["last_payment_error"] = error.error.clone();
    st.charges.insert(charge["id"].as_str().unwrap_or_default().to_string(), charge.clone());
    st.payment_intents.insert(pi["id"].as_str().unwrap_or_default().to_string(), pi.clone());
    ctx.emit(st, "charge.failed", &charge, None);
    ctx.emit(st, "payment_intent.payment_failed", &pi, None);
    error.with("payment_intent", pi)
}

fn capture(st: &mut State, ctx: &mut Ctx, id: &str, p: &Params) -> ApiResult {
    known(p, &["amount_to_capture", "application_fee_amount", "metadata", "final_capture"])?;
    let mut pi = get(&st.payment_intents, "payment_intent", id, "intent")?;
    if pi["status"] != json!("requires_capture") {
        return Err(unexpected_state(&pi, "capture", &["requires_capture"]));
    }
    let capturable = pi["amount_capturable"].as_i64().unwrap_or(0);
    let amount = integer(p, "amount_to_capture")?.unwrap_or(capturable);
    if amount > capturable {
        return Err(ApiError::invalid(
            format!(
                "The amount to capture ({amount}) must be less than or equal to the PaymentIntent's amount_capturable ({capturable})."
            ),
            Some("amount_to_capture"),
            Some("amount_too_large"),
        ));
    }
    if amount <= 0 {
        return Err(ApiError::invalid(
            "This value must be greater than or equal to 1.",
            Some("amount_to_capture"),
            None,
        ));
    }
    if let Some(fee) = integer(p, "application_fee_amount")? {
        if fee > amount {
            return Err(ApiError::invalid(
                "The application fee amount must be no greater than the amount to capture.",
                Some("application_fee_amount"),
                None,
            ));
        }
        pi["application_fee_amount"] = json!(fee);
    }
    merge_metadata(&mut pi, p)?;
    let charge_id = pi["latest_charge"].as_str().unwrap_or_default().to_string();
    let mut charge = st.charges[&charge_id].clone();
    charge["application_fee_amount"] = pi["application_fee_amount"].clone();
    mark_captured(&mut charge, amount);
    pi["status"] = json!("succeeded");
    pi["amount_capturable"] = json!(0);
    pi["amount_received"] = json!(amount);
    st.charges.insert(charge_id, charge.clone());
    st.payment_intents.insert(id.to_string(), pi.clone());
    ctx.emit(st, "charge.captured", &charge, None);
    ctx.emit(st, "payment_intent.succeeded", &pi, None);
    Ok(pi)
}

fn cancel(st: &mut State, ctx: &mut Ctx, id: &str, p: &Params) -> ApiResult {
    known(p, &["cancellation_reason"])?;
    let reason = one_of(p, "cancellation_reason", &["duplicate", "fraudulent", "requested_by_customer", "abandoned"])?;
    let mut pi = get(&st.payment_intents, "payment_intent", id, "intent")?;
    let cancelable =
        ["requires_payment_method", "requires_capture", "requires_confirmation", "requires_action", "processing"];
    if !cancelable.contains(&pi["status"].as_str().unwrap_or_default()) {
        return Err(unexpected_state(&pi, "cancel", &cancelable));
    }
    if pi["status"] == json!("requires_capture")
        && let Some(charge) = pi["latest_charge"].as_str().and_then(|c| st.charges.get_mut(c))
    {
        // The authorization is released: Stripe shows it as a full refund of the uncaptured charge.
        charge["amount_refunded"] = charge["amount"].clone();
        charge["refunded"] = json!(true);
    }
    pi["status"] = json!("canceled");
    pi["canceled_at"] = json!(ctx.now);
    pi["cancellation_reason"] = json!(reason);
    pi["amount_capturable"] = json!(0);
    pi["next_action"] = Value::Null;
    st.payment_intents.insert(id.to_string(), pi.clone());
    ctx.emit(st, "payment_intent.canceled", &pi, None);
    Ok(pi)
}

// ---------------------------------------------------------------- refunds

fn create_refund(st: &mut State, ctx: &mut Ctx, p: &Params) -> ApiResult {
    known(
        p,
        &[
            "payment_intent",
            "charge",
            "amount",
            "reason",
            "metadata",
            "reverse_transfer",
            "refund_application_fee",
            "instructions_email",
        ],
    )?;
    let reason = one_of(p, "reason", &["duplicate", "fraudulent", "requested_by_customer"])?;
    let charge_id = match (string(p, "charge")?, string(p, "payment_intent")?) {
        (Some(c), None) => {
            if !st.charges.contains_key(&c) {
                return Err(ApiError::missing_resource("charge", &c, "charge"));
            }
            c
        }
        (None, Some(pi_id)) => {
            let pi = get(&st.payment_intents, "payment_intent", &pi_id, "payment_intent")?;
            if pi["status"] != json!("succeeded") {
                return Err(ApiError::invalid(
                    format!("This PaymentIntent ({pi_id}) does not have a successful charge to refund."),
                    Some("payment_intent"),
                    Some("charge_not_refundable"),
                ));
            }
            pi["latest_charge"].as_str().unwrap_or_default().to_string()
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid("You cannot specify both `charge` and `payment_intent`.", None, None));
        }
        (None, None) => {
            return Err(ApiError::invalid(
                "One of the following params should be provided for this request: payment_intent or charge.",
                None,
                Some("parameter_missing"),
            ));
        }
    };
    let mut charge = st.charges[&charge_id].clone();
    if charge["status"] != json!("succeeded") || charge["captured"] != json!(true) {
        return Err(ApiError::invalid(
            format!("Charge {charge_id} has not been captured or did not succeed and cannot be refunded."),
            Some("charge"),
            Some("charge_not_refundable"),
        ));
    }
    let currency = charge["currency"].as_str().unwrap_or("usd").to_string();
    let captured = charge["amount_captured"].as_i64().unwrap_or(0);
    // What is already refunded, not counting the uncaptured remainder of a partial capture.
    let released = charge["amount"].as_i64().unwrap_or(0) - captured;
    let refunded = charge["amount_refunded"].as_i64().unwrap_or(0) - released;
    let refundable = captured - refunded;
    if refundable <= 0 {
        return Err(ApiError::invalid(
            format!("Charge {charge_id} has already been refunded."),
            None,
            Some("charge_already_refunded"),
        ));
    }
    let amount = integer(p, "amount")?.unwrap_or(refundable);
    if amount <= 0 {
        return Err(ApiError::invalid("Invalid positive integer", Some("amount"), Some("parameter_invalid_integer")));
    }
    if amount > refundable {
        return Err(ApiError::invalid(
            format!(
                "Refund amount ({} {currency}) is greater than unrefunded amount on charge ({} {currency})",
                money::display(amount, &currency),
                money::display(refundable, &currency)
            ),
            Some("amount"),
            Some("amount_too_large"),
        ));
    }
    let reverse_transfer = boolean(p, "reverse_transfer")?.unwrap_or(false);
    if reverse_transfer && charge["transfer_data"].is_null() {
        return Err(ApiError::invalid(
            "You cannot reverse a transfer for a charge that has no transfer (reverse_transfer is only for destination charges).",
            Some("reverse_transfer"),
            None,
        ));
    }
    let refund_fee = boolean(p, "refund_application_fee")?.unwrap_or(false);
    if refund_fee && charge["application_fee"].is_null() {
        return Err(ApiError::invalid(
            "This charge has no application fee to refund.",
            Some("refund_application_fee"),
            None,
        ));
    }
    let id = new_id("re");
    let mut refund = json!({
        "id": id,
        "object": "refund",
        "amount": amount,
        "balance_transaction": new_id("txn"),
        "charge": charge_id,
        "created": ctx.now,
        "currency": currency,
        "destination_details": {
            "card": { "reference": "standin", "reference_status": "available", "reference_type": "acquirer_reference_number", "type": "refund" },
            "type": "card"
        },
        "metadata": {},
        "payment_intent": charge["payment_intent"],
        "reason": reason,
        "receipt_number": null,
        "source_transfer_reversal": null,
        "status": "succeeded",
        "transfer_reversal": if reverse_transfer { json!(new_id("trr")) } else { Value::Null }
    });
    merge_metadata(&mut refund, p)?;
    charge["amount_refunded"] = json!(charge["amount_refunded"].as_i64().unwrap_or(0) + amount);
    charge["refunded"] = json!(refunded + amount == captured);
    st.refunds.insert(id, refund.clone());
    st.charges.insert(charge_id, charge.clone());
    ctx.emit(st, "refund.created", &refund, None);
    ctx.emit(
        st,
        "charge.refunded",
        &charge,
        Some(json!({ "amount_refunded": refunded + released, "refunded": false })),
    );
    Ok(refund)
}

// ---------------------------------------------------------------- disputes (stand-in controls)

pub fn open_dispute(st: &mut State, ctx: &mut Ctx, pi_id: &str, reason: &str) -> ApiResult {
    let pi = get(&st.payment_intents, "payment_intent", pi_id, "payment_intent")?;
    let charge_id = pi["latest_charge"].as_str().unwrap_or_default().to_string();
    let Some(charge) = st.charges.get(&charge_id).filter(|c| c["captured"] == json!(true)) else {
        return Err(ApiError::invalid(
            format!("{pi_id} has no captured charge to dispute."),
            Some("payment_intent"),
            None,
        ));
    };
    let mut charge = charge.clone();
    let id = new_id("dp");
    let card = &charge["payment_method_details"]["card"];
    let dispute = json!({
        "id": id,
        "object": "dispute",
        "amount": charge["amount_captured"],
        "balance_transactions": [],
        "charge": charge_id,
        "created": ctx.now,
        "currency": charge["currency"],
        "enhanced_eligibility_types": [],
        "evidence": {
            "access_activity_log": null, "billing_address": null, "cancellation_policy": null,
            "cancellation_policy_disclosure": null, "cancellation_rebuttal": null,
            "customer_communication": null, "customer_email_address": null, "customer_name": null,
            "customer_purchase_ip": null, "customer_signature": null, "duplicate_charge_documentation": null,
            "duplicate_charge_explanation": null, "duplicate_charge_id": null,
            "enhanced_evidence": {}, "product_description": null, "receipt": null,
            "refund_policy": null, "refund_policy_disclosure": null, "refund_refusal_explanation": null,
            "service_date": null, "service_documentation": null, "shipping_address": null,
            "shipping_carrier": null, "shipping_date": null, "shipping_documentation": null,
            "shipping_tracking_number": null, "uncategorized_file": null, "uncategorized_text": null
        },
        "evidence_details": {
            "due_by": ctx.now + 7 * 86_400,
            "enhanced_eligibility": {},
            "has_evidence": false,
            "past_due": false,
            "submission_count": 0
        },
        "is_charge_refundable": false,
        "livemode": false,
        "metadata": {},
        "network_reason_code": "10.4",
        "payment_intent": pi_id,
        "payment_method_details": {
            "card": { "brand": card["brand"], "case_type": "chargeback", "network": card["network"], "network_reason_code": "10.4" },
            "type": "card"
        },
        "reason": reason,
        "status": "needs_response"
    });
    charge["disputed"] = json!(true);
    st.charges.insert(charge_id, charge);
    st.disputes.insert(id, dispute.clone());
    ctx.emit(st, "charge.dispute.created", &dispute, None);
    Ok(dispute)
}

pub fn close_dispute(st: &mut State, ctx: &mut Ctx, id: &str, status: &str) -> ApiResult {
    let mut dispute = get(&st.disputes, "dispute", id, "dispute")?;
    if !["won", "lost"].contains(&status) {
        return Err(ApiError::invalid("status must be won or lost", Some("status"), None));
    }
    if ["won", "lost"].contains(&dispute["status"].as_str().unwrap_or_default()) {
        return Err(ApiError::invalid(format!("Dispute {id} is already closed."), None, None));
    }
    let previous = json!({ "status": dispute["status"] });
    dispute["status"] = json!(status);
    dispute["balance_transactions"] = json!([]);
    st.disputes.insert(id.to_string(), dispute.clone());
    ctx.emit(st, "charge.dispute.closed", &dispute, Some(previous));
    Ok(dispute)
}

// ---------------------------------------------------------------- Connect

const CAPABILITIES: &[&str] = &["card_payments", "transfers", "link_payments", "bank_transfer_payments"];

const ONBOARDING_REQUIREMENTS: &[&str] = &[
    "business_profile.mcc",
    "business_profile.url",
    "business_type",
    "external_account",
    "individual.address.city",
    "individual.address.line1",
    "individual.address.postal_code",
    "individual.dob.day",
    "individual.dob.month",
    "individual.dob.year",
    "individual.email",
    "individual.first_name",
    "individual.last_name",
    "individual.phone",
    "tos_acceptance.date",
    "tos_acceptance.ip",
];

fn default_currency(country: &str) -> &'static str {
    match country {
        "US" => "usd",
        "GB" => "gbp",
        "JP" => "jpy",
        "CA" => "cad",
        "AU" => "aud",
        "CH" => "chf",
        "IN" => "inr",
        "DK" => "dkk",
        "SE" => "sek",
        "NO" => "nok",
        "PL" => "pln",
        _ => "eur",
    }
}

fn requirements(due: &[&str], disabled_reason: Option<&str>) -> Value {
    json!({
        "alternatives": [],
        "current_deadline": null,
        "currently_due": due,
        "disabled_reason": disabled_reason,
        "errors": [],
        "eventually_due": due,
        "past_due": due,
        "pending_verification": []
    })
}

fn create_account(st: &mut State, ctx: &mut Ctx, p: &Params) -> ApiResult {
    known(
        p,
        &[
            "type",
            "country",
            "email",
            "capabilities",
            "metadata",
            "business_type",
            "business_profile",
            "default_currency",
            "controller",
        ],
    )?;
    let type_ = one_of(p, "type", &["express", "standard", "custom"])?
        .ok_or_else(|| ApiError::invalid("Missing required param: type.", Some("type"), Some("parameter_missing")))?;
    let country = string(p, "country")?.unwrap_or_else(|| "US".into()).to_uppercase();
    let mut capabilities = Map::new();
    match p.get("capabilities") {
        None => {}
        Some(Value::Object(requested)) => {
            for (name, v) in requested {
                if !CAPABILITIES.contains(&name.as_str()) {
                    return Err(ApiError::invalid(
                        format!("Invalid capability: {name}"),
                        Some(&format!("capabilities[{name}]")),
                        None,
                    ));
                }
                if v.get("requested").and_then(Value::as_str) == Some("true") {
                    capabilities.insert(name.clone(), json!("inactive"));
                }
            }
        }
        Some(_) => return Err(ApiError::invalid("Invalid hash", Some("capabilities"), None)),
    }
    let business_type = one_of(p, "business_type", &["individual", "company", "non_profit", "government_entity"])?;
    let id = new_id("acct");
    let due = if capabilities.is_empty() { vec![] } else { ONBOARDING_REQUIREMENTS.to_vec() };
    let mut account = json!({
        "id": id,
        "object": "account",
        "business_profile": {
            "annual_revenue": null, "estimated_worker_count": null, "mcc": null,
            "minority_owned_business_designation": null, "monthly_estimated_revenue": null,
            "name": null, "product_description": null, "support_address": null,
            "support_email": null, "support_phone": null, "support_url": null, "url": null
        },
        "business_type": business_type,
        "capabilities": capabilities,
        "charges_enabled": false,
        "controller": {
            "fees": { "payer": "application_express" },
            "is_controller": true,
            "losses": { "payments": "application" },
            "requirement_collection": "stripe",
            "stripe_dashboard": { "type": type_ },
            "type": "application"
        },
        "country": country,
        "created": ctx.now,
        "default_currency": string(p, "default_currency")?.unwrap_or_else(|| default_currency(&country).into()),
        "details_submitted": false,
        "email": string(p, "email")?,
        "external_accounts": {
            "object": "list",
            "data": [],
            "has_more": false,
            "total_count": 0,
            "url": format!("/v1/accounts/{id}/external_accounts")
        },
        "future_requirements": requirements(&[], None),
        "metadata": {},
        "payouts_enabled": false,
        "requirements": requirements(&due, if due.is_empty() { None } else { Some("requirements.past_due") }),
        "settings": {
            "bacs_debit_payments": { "display_name": null, "service_user_number": null },
            "branding": { "icon": null, "logo": null, "primary_color": null, "secondary_color": null },
            "card_issuing": { "tos_acceptance": { "date": null, "ip": null } },
            "card_payments": {
                "decline_on": { "avs_failure": false, "cvc_failure": false },
                "statement_descriptor_prefix": null,
                "statement_descriptor_prefix_kana": null,
                "statement_descriptor_prefix_kanji": null
            },
            "dashboard": { "display_name": null, "timezone": "Etc/UTC" },
            "invoices": { "default_account_tax_ids": null, "hosted_payment_method_save": "offer" },
            "payments": {
                "statement_descriptor": null,
                "statement_descriptor_kana": null,
                "statement_descriptor_kanji": null
            },
            "payouts": {
                "debit_negative_balances": true,
                "schedule": { "delay_days": 2, "interval": "daily" },
                "statement_descriptor": null
            },
            "sepa_debit_payments": {}
        },
        "tos_acceptance": { "date": null, "ip": null, "user_agent": null },
        "type": type_
    });
    if let Some(Value::Object(profile)) = p.get("business_profile") {
        for (k, v) in profile {
            if account["business_profile"].get(k).is_some() {
                account["business_profile"][k] = v.clone();
            }
        }
    }
    merge_metadata(&mut account, p)?;
    st.accounts.insert(id, account.clone());
    ctx.mutated = true;
    Ok(account)
}

fn create_account_link(st: &mut State, ctx: &mut Ctx, p: &Params) -> ApiResult {
    known(p, &["account", "refresh_url", "return_url", "type", "collect", "collection_options"])?;
    let account = required(p, "account")?;
    if !st.accounts.contains_key(&account) {
        return Err(ApiError::missing_resource("account", &account, "account"));
    }
    one_of(p, "type", &["account_onboarding", "account_update"])?;
    required(p, "type")?;
    let link = new_id("link");
    let expires_at = ctx.now + ACCOUNT_LINK_TTL;
    st.account_links.insert(
        link.clone(),
        AccountLink {
            account: account.clone(),
            refresh_url: string(p, "refresh_url")?,
            return_url: string(p, "return_url")?,
            expires_at,
        },
    );
    ctx.mutated = true;
    Ok(json!({
        "object": "account_link",
        "created": ctx.now,
        "expires_at": expires_at,
        "url": format!("{}/standin/onboarding/{account}?link={link}", ctx.base_url)
    }))
}

/// The connected account finished (or half-finished) Stripe's hosted onboarding.
pub fn finish_onboarding(st: &mut State, ctx: &mut Ctx, account_id: &str, restricted: bool) -> ApiResult {
    let mut account = get(&st.accounts, "account", account_id, "account")?;
    let previous = json!({
        "capabilities": account["capabilities"],
        "charges_enabled": account["charges_enabled"],
        "details_submitted": account["details_submitted"],
        "payouts_enabled": account["payouts_enabled"],
        "requirements": account["requirements"]
    });
    account["details_submitted"] = json!(true);
    account["tos_acceptance"] = json!({ "date": ctx.now, "ip": "127.0.0.1", "user_agent": "stripe-standin" });
    let capability_state = if restricted { "inactive" } else { "active" };
    if let Some(caps) = account["capabilities"].as_object_mut() {
        for v in caps.values_mut() {
            *v = json!(capability_state);
        }
    }
    if restricted {
        account["charges_enabled"] = json!(false);
        account["payouts_enabled"] = json!(false);
        account["requirements"] = requirements(&["individual.verification.document"], Some("requirements.past_due"));
    } else {
        account["charges_enabled"] = json!(true);
        account["payouts_enabled"] = json!(true);
        account["requirements"] = requirements(&[], None);
    }
    st.accounts.insert(account_id.to_string(), account.clone());
    ctx.emit(st, "account.updated", &account, Some(previous));
    Ok(account)
}

// ---------------------------------------------------------------- events

fn get_event(st: &State, id: &str) -> ApiResult {
    st.events
        .iter()
        .find(|e| e["id"] == json!(id))
        .cloned()
        .ok_or_else(|| ApiError::missing_resource("event", id, "id"))
}

fn list_events(st: &State, p: &Params) -> ApiResult {
    known(p, &["type", "types", "limit", "starting_after", "ending_before", "created", "delivery_success"])?;
    let limit = integer(p, "limit")?.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid("This value must be between 1 and 100.", Some("limit"), None));
    }
    let type_filter = string(p, "type")?;
    let matches = |e: &Value| match &type_filter {
        None => true,
        Some(t) => {
            let ty = e["type"].as_str().unwrap_or_default();
            match t.strip_suffix('*') {
                Some(prefix) => ty.starts_with(prefix),
                None => ty == t,
            }
        }
    };
    let mut newest_first = st.events.iter().rev().filter(|e| matches(e)).peekable();
    if let Some(after) = string(p, "starting_after")? {
        if !st.events.iter().any(|e| e["id"] == json!(after)) {
            return Err(ApiError::missing_resource("event", &after, "starting_after"));
        }
        for e in newest_first.by_ref() {
            if e["id"] == json!(after) {
                break;
            }
        }
    }
    let data: Vec<Value> = newest_first.by_ref().take(limit as usize).cloned().collect();
    let has_more = newest_first.peek().is_some();
    Ok(json!({ "object": "list", "data": data, "has_more": has_more, "url": "/v1/events" }))
}

/// An expired onboarding link sends the user to `refresh_url`, as Stripe's do.
pub fn onboarding_link(st: &State, link: &str, now: i64) -> Result<(AccountLink, bool), String> {
    let l = st.account_links.get(link).cloned().ok_or("unknown onboarding link")?;
    let expired = now > l.expires_at;
    Ok((l, expired))
}
