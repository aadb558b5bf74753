//! What Stripe's dashboard, Stripe.js and the card networks would do, for tests and for a
//! human on the local stack: checkout, 3-D Secure and onboarding pages, disputes, fault
//! injection, webhook inspection and redelivery, reset. Not part of Stripe's API.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;
use serde_json::{Value, json};

use crate::api::{self, ApiError};
use crate::{Fault, Inner, control_error, error_json, ok_json};

type Page = Response<Full<Bytes>>;

pub(crate) async fn handle(inner: &Arc<Inner>, method: &str, path: &str, query: &str, body: &str) -> Page {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let q = crate::form::parse(query).unwrap_or_default();
    let qs = |k: &str| q.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    match (method, segments.as_slice()) {
        ("GET", ["standin"]) | ("GET", [""]) => index(inner),
        ("POST", ["standin", "reset"]) => {
            crate::reset(inner);
            ok_json(&json!({ "reset": true }))
        }
        ("GET", ["standin", "faults"]) => {
            let faults = inner.faults.lock().expect("faults lock").clone();
            ok_json(&serde_json::to_value(faults).expect("json"))
        }
        ("POST", ["standin", "faults"]) => match serde_json::from_str::<Fault>(body) {
            Ok(fault) if fault.remaining > 0 => {
                let value = serde_json::to_value(&fault).expect("json");
                inner.faults.lock().expect("faults lock").push(fault);
                ok_json(&value)
            }
            Ok(_) => control_error(400, "count must be at least 1"),
            Err(e) => control_error(400, &format!("invalid fault: {e}")),
        },
        ("DELETE", ["standin", "faults"]) => {
            inner.faults.lock().expect("faults lock").clear();
            ok_json(&json!([]))
        }
        ("GET", ["standin", "webhooks", "deliveries"]) => {
            let deliveries = inner.deliveries.lock().expect("deliveries lock").clone();
            ok_json(&json!({ "paused": *inner.paused.borrow(), "deliveries": deliveries }))
        }
        ("POST", ["standin", "webhooks", "pause"]) => {
            inner.paused.send_replace(true);
            ok_json(&json!({ "paused": true }))
        }
        ("POST", ["standin", "webhooks", "resume"]) => {
            inner.paused.send_replace(false);
            ok_json(&json!({ "paused": false }))
        }
        ("POST", ["standin", "webhooks", "redeliver"]) => {
            let id = json_field(body, "event_id");
            let event = inner
                .state
                .lock()
                .expect("state lock")
                .events
                .iter()
                .find(|e| e["id"].as_str() == Some(id.as_str()))
                .cloned();
            match event {
                Some(event) if inner.config.webhook_url.is_some() => {
                    crate::webhooks::schedule(inner, &event);
                    ok_json(&json!({ "redelivering": id }))
                }
                Some(_) => control_error(400, "no webhook URL is configured"),
                None => control_error(404, &format!("No such event: '{id}'")),
            }
        }
        ("POST", ["standin", "disputes"]) => {
            let pi = json_field(body, "payment_intent");
            let reason = Some(json_field(body, "reason")).filter(|r| !r.is_empty());
            answer(inner.apply(None, None, |st, ctx| {
                api::open_dispute(st, ctx, &pi, reason.as_deref().unwrap_or("fraudulent"))
            }))
        }
        ("POST", ["standin", "disputes", id, "close"]) => {
            let status = json_field(body, "status");
            answer(inner.apply(None, None, |st, ctx| api::close_dispute(st, ctx, id, &status)))
        }
        ("POST", ["standin", "payment_intents", id, "authenticate"]) => {
            let outcome = json_field(body, "outcome");
            answer(inner.apply(None, None, |st, ctx| api::authenticate(st, ctx, id, outcome != "fail")))
        }
        ("POST", ["standin", "accounts", id, "onboarding"]) => {
            let outcome = json_field(body, "outcome");
            answer(inner.apply(None, None, |st, ctx| api::finish_onboarding(st, ctx, id, outcome == "restricted")))
        }
        ("GET", ["standin", "checkout", id]) => checkout_page(inner, id, &qs("client_secret"), None),
        ("POST", ["standin", "checkout", id]) => {
            let f = crate::form::parse(body).unwrap_or_default();
            let field = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let secret = field("client_secret");
            if !secret_matches(inner, id, &secret) {
                return html(403, "Wrong client secret", "<p>The client secret does not match this PaymentIntent.</p>");
            }
            let pm = field("payment_method");
            let result = inner.apply(None, None, |st, ctx| {
                let mut p = serde_json::Map::new();
                p.insert("payment_method".into(), json!(pm));
                api::route(st, ctx, "POST", &format!("/v1/payment_intents/{id}/confirm"), &p)
            });
            let message = match result {
                Ok(pi) => format!("Payment is now <b>{}</b>.", esc(pi["status"].as_str().unwrap_or(""))),
                Err(e) => format!("Stripe answered {}: {}", e.status, esc(e.error["message"].as_str().unwrap_or(""))),
            };
            checkout_page(inner, id, &secret, Some(message))
        }
        ("GET", ["standin", "authenticate", id]) => authenticate_page(inner, id, &qs("client_secret")),
        ("POST", ["standin", "authenticate", id]) => {
            let f = crate::form::parse(body).unwrap_or_default();
            let field = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let secret = field("client_secret");
            if !secret_matches(inner, id, &secret) {
                return html(403, "Wrong client secret", "<p>The client secret does not match this PaymentIntent.</p>");
            }
            let success = field("outcome") != "fail";
            let return_url = inner.state.lock().expect("state lock").payment_intents[*id]["next_action"]
                ["redirect_to_url"]["return_url"]
                .as_str()
                .map(str::to_string);
            match inner.apply(None, None, |st, ctx| api::authenticate(st, ctx, id, success)) {
                Ok(pi) => match return_url {
                    // Stripe sends the customer back with these query parameters.
                    Some(url) => redirect(&format!(
                        "{url}{}payment_intent={id}&payment_intent_client_secret={secret}&redirect_status={}",
                        if url.contains('?') { "&" } else { "?" },
                        if pi["status"] == json!("requires_payment_method") { "failed" } else { "succeeded" }
                    )),
                    None => checkout_page(
                        inner,
                        id,
                        &secret,
                        Some(format!("Payment is now <b>{}</b>.", esc(pi["status"].as_str().unwrap_or("")))),
                    ),
                },
                Err(e) => {
                    html(400, "Not possible", &format!("<p>{}</p>", esc(e.error["message"].as_str().unwrap_or(""))))
                }
            }
        }
        ("GET", ["standin", "onboarding", account]) => onboarding_page(inner, account, &qs("link")),
        ("POST", ["standin", "onboarding", account]) => {
            let f = crate::form::parse(body).unwrap_or_default();
            let field = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let link = field("link");
            let found = api::onboarding_link(&inner.state.lock().expect("state lock"), &link, crate::now());
            match found {
                Ok((l, false)) if l.account == *account => {
                    let restricted = field("outcome") == "restricted";
                    match inner.apply(None, None, |st, ctx| api::finish_onboarding(st, ctx, account, restricted)) {
                        Ok(_) => match l.return_url {
                            Some(url) => redirect(&url),
                            None => html(200, "Onboarding finished", "<p>Done. No return_url was given.</p>"),
                        },
                        Err(e) => error_json(&e),
                    }
                }
                Ok((l, true)) => match l.refresh_url {
                    Some(url) => redirect(&url),
                    None => html(410, "Link expired", "<p>This onboarding link has expired.</p>"),
                },
                _ => html(404, "Unknown link", "<p>This onboarding link does not exist.</p>"),
            }
        }
        ("GET", ["standin", "receipts", id]) => {
            let charge = inner.state.lock().expect("state lock").charges.get(*id).cloned();
            match charge {
                Some(c) => html(
                    200,
                    "Receipt",
                    &format!(
                        "<p>Charge {} — {} {} ({}), refunded {}.</p>",
                        esc(id),
                        crate::money::display(
                            c["amount_captured"].as_i64().unwrap_or(0),
                            c["currency"].as_str().unwrap_or("usd")
                        ),
                        esc(&c["currency"].as_str().unwrap_or("").to_uppercase()),
                        esc(c["status"].as_str().unwrap_or("")),
                        crate::money::display(
                            c["amount_refunded"].as_i64().unwrap_or(0),
                            c["currency"].as_str().unwrap_or("usd")
                        ),
                    ),
                ),
                None => html(404, "No such receipt", ""),
            }
        }
        _ => control_error(404, &format!("no stand-in route {method} {path}")),
    }
}

fn answer(result: Result<Value, ApiError>) -> Page {
    match result {
        Ok(v) => ok_json(&v),
        Err(e) => error_json(&e),
    }
}

fn json_field(body: &str, key: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get(key).and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default()
}

fn secret_matches(inner: &Inner, id: &str, secret: &str) -> bool {
    inner
        .state
        .lock()
        .expect("state lock")
        .payment_intents
        .get(id)
        .is_some_and(|pi| !secret.is_empty() && pi["client_secret"].as_str() == Some(secret))
}

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn html(status: u16, title: &str, body: &str) -> Page {
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t} · Stripe stand-in</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}}\
         button{{margin:.25rem 0;padding:.5rem 1rem}}form{{display:inline-block;margin-right:.5rem}}\
         .note{{color:#555}}table{{border-collapse:collapse}}td,th{{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:left}}</style>\
         </head><body><h1>{t}</h1>{body}<p class=\"note\">Stripe stand-in (local development; no real money moves).</p></body></html>",
        t = esc(title)
    );
    Response::builder()
        .status(status)
        .header("content-type", "text/html; charset=utf-8")
        .body(Full::new(Bytes::from(page)))
        .expect("response")
}

fn redirect(location: &str) -> Page {
    Response::builder().status(303).header("location", location).body(Full::new(Bytes::new())).expect("response")
}

const TEST_CARDS: &[(&str, &str)] = &[
    ("pm_card_visa", "Visa 4242 — succeeds"),
    ("pm_card_chargeDeclined", "Visa 0002 — declined (generic_decline)"),
    ("pm_card_chargeDeclinedInsufficientFunds", "Visa 9995 — declined (insufficient_funds)"),
    ("pm_card_authenticationRequired", "Visa 3184 — requires authentication (3-D Secure)"),
];

fn checkout_page(inner: &Inner, id: &str, secret: &str, message: Option<String>) -> Page {
    let pi = inner.state.lock().expect("state lock").payment_intents.get(id).cloned();
    let Some(pi) = pi.filter(|pi| !secret.is_empty() && pi["client_secret"].as_str() == Some(secret)) else {
        return html(404, "Checkout", "<p>No PaymentIntent with this id and client secret.</p>");
    };
    let currency = pi["currency"].as_str().unwrap_or("usd");
    let status = pi["status"].as_str().unwrap_or("");
    let mut body = format!(
        "<p>{}</p><p>Amount: <b>{} {}</b> · status <b>{}</b> · {}</p>",
        message.unwrap_or_default(),
        crate::money::display(pi["amount"].as_i64().unwrap_or(0), currency),
        esc(&currency.to_uppercase()),
        esc(status),
        esc(pi["description"].as_str().unwrap_or(id)),
    );
    match status {
        "requires_payment_method" | "requires_confirmation" => {
            body.push_str("<p>Pay with a Stripe test card:</p>");
            for (pm, label) in TEST_CARDS {
                body.push_str(&format!(
                    "<form method=\"post\" action=\"/standin/checkout/{id}\">\
                     <input type=\"hidden\" name=\"client_secret\" value=\"{s}\">\
                     <input type=\"hidden\" name=\"payment_method\" value=\"{pm}\">\
                     <button type=\"submit\">{label}</button></form><br>",
                    id = esc(id),
                    s = esc(secret),
                    label = esc(label)
                ));
            }
        }
        "requires_action" => body.push_str(&format!(
            "<p><a href=\"/standin/authenticate/{}?client_secret={}\">Complete authentication</a></p>",
            esc(id),
            esc(secret)
        )),
        _ => body.push_str("<p>Nothing left to pay.</p>"),
    }
    html(200, "Checkout", &body)
}

fn authenticate_page(inner: &Inner, id: &str, secret: &str) -> Page {
    if !secret_matches(inner, id, secret) {
        return html(404, "Authentication", "<p>No PaymentIntent with this id and client secret.</p>");
    }
    let body = ["succeed", "fail"]
        .iter()
        .map(|outcome| {
            format!(
                "<form method=\"post\" action=\"/standin/authenticate/{id}\">\
                 <input type=\"hidden\" name=\"client_secret\" value=\"{s}\">\
                 <input type=\"hidden\" name=\"outcome\" value=\"{outcome}\">\
                 <button type=\"submit\">{label}</button></form>",
                id = esc(id),
                s = esc(secret),
                label = if *outcome == "succeed" { "Complete authentication" } else { "Fail authentication" }
            )
        })
        .collect::<String>();
    html(200, "3-D Secure test page", &format!("<p>Your bank asks you to confirm this payment.</p>{body}"))
}

fn onboarding_page(inner: &Inner, account: &str, link: &str) -> Page {
    let found = api::onboarding_link(&inner.state.lock().expect("state lock"), link, crate::now());
    match found {
        Ok((l, false)) if l.account == account => {
            let buttons = [
                ("complete", "Submit details (account enabled)"),
                ("restricted", "Submit but restricted (verification needed)"),
            ]
            .iter()
            .map(|(outcome, label)| {
                format!(
                    "<form method=\"post\" action=\"/standin/onboarding/{a}\">\
                         <input type=\"hidden\" name=\"link\" value=\"{l}\">\
                         <input type=\"hidden\" name=\"outcome\" value=\"{outcome}\">\
                         <button type=\"submit\">{label}</button></form><br>",
                    a = esc(account),
                    l = esc(link),
                    label = esc(label)
                )
            })
            .collect::<String>();
            html(
                200,
                "Connect onboarding",
                &format!("<p>Onboarding for connected account <code>{}</code>.</p>{buttons}", esc(account)),
            )
        }
        Ok((l, true)) => match l.refresh_url {
            Some(url) => redirect(&url),
            None => html(410, "Link expired", "<p>This onboarding link has expired.</p>"),
        },
        _ => html(404, "Unknown link", "<p>This onboarding link does not exist.</p>"),
    }
}

fn index(inner: &Inner) -> Page {
    let st = inner.state.lock().expect("state lock");
    let mut rows = String::new();
    for pi in st.payment_intents.values().rev().take(50) {
        let id = pi["id"].as_str().unwrap_or("");
        rows.push_str(&format!(
            "<tr><td><a href=\"/standin/checkout/{id}?client_secret={s}\">{id}</a></td><td>{a} {c}</td><td>{st}</td></tr>",
            id = esc(id),
            s = esc(pi["client_secret"].as_str().unwrap_or("")),
            a = crate::money::display(pi["amount"].as_i64().unwrap_or(0), pi["currency"].as_str().unwrap_or("usd")),
            c = esc(&pi["currency"].as_str().unwrap_or("").to_uppercase()),
            st = esc(pi["status"].as_str().unwrap_or(""))
        ));
    }
    let deliveries = inner.deliveries.lock().expect("deliveries lock");
    let failed = deliveries.iter().filter(|d| d.status == "failed").count();
    html(
        200,
        "Stripe stand-in",
        &format!(
            "<p>{} events, {} webhook deliveries ({} failed){}.</p>\
             <h2>PaymentIntents</h2><table><tr><th>Checkout page</th><th>Amount</th><th>Status</th></tr>{rows}</table>",
            st.events.len(),
            deliveries.len(),
            failed,
            if *inner.paused.borrow() { ", deliveries paused" } else { "" }
        ),
    )
}
