//! Integration tests: real API Gateway v2 events through the real handlers, against
//! Amazon's DynamoDB Local and moto. One test binary keeps link time down.

mod accounts;
mod admin;
mod analytics;
mod availability;
mod booking_lifecycle;
mod booking_race;
mod bookings;
mod busy_time;
mod calendar_feed;
mod chat;
mod chat_attachments;
mod contract;
mod correctness;
mod fakes_agree;
mod forecasts;
mod gallery;
mod in_app_notifications;
mod layout;
mod light;
mod near;
mod notifications;
mod payments;
mod phone;
mod plumbing;
mod portfolio;
mod profiles;
mod quotes;
mod recommendations;
mod reminders;
mod reviews;
mod sample_events;
mod secrets;
mod support;
mod travel;
mod xray;
