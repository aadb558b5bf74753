//! The names the parties of a booking show each other where an answer otherwise carries
//! only ids (the payment history, a booking's page): a client by their account's name,
//! a photographer by their public display name. Read with each answer, never copied
//! into bookings or ledgers, so a rename shows everywhere at once and a deactivated
//! account shows no name at all.
//!
//! One BatchGetItem for a whole page (`USER#c/USER` per client, `USER#p/PHOTOGRAPHER`
//! per photographer, each id once; 100 keys a call), projected to the name and the flag
//! that says whether it may be shown: an email or a phone number is never read here.

use crate::ports::NameReader;
use crate::{DynamoStore, Item, StoreError, key, keys};
use aws_sdk_dynamodb::types::AttributeValue;
use cm_core::UserId;
use std::collections::{BTreeSet, HashMap};

/// The attributes a BatchGetItem reads (`KeysAndAttributes`' projection).
#[derive(Debug)]
pub struct Projection {
    pub(crate) expression: &'static str,
    pub(crate) names: &'static [(&'static str, &'static str)],
}

/// The keys to tell the items apart, the account's `name` and `active`, the profile's
/// `listed` (false exactly while its account is deactivated: both change in one
/// transaction) and `profile.display_name`.
const NAMES: Projection = Projection {
    expression: "#pk, #sk, #name, #active, #listed, #profile.#display",
    names: &[
        ("#pk", keys::PK),
        ("#sk", keys::SK),
        ("#name", "name"),
        ("#active", "active"),
        ("#listed", "listed"),
        ("#profile", "profile"),
        ("#display", "display_name"),
    ],
};

/// The names found; an id without one has nothing to show (no such account or profile,
/// or a deactivated one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartyNames {
    pub clients: HashMap<UserId, String>,
    pub photographers: HashMap<UserId, String>,
}

impl PartyNames {
    pub fn client(&self, id: UserId) -> Option<String> {
        self.clients.get(&id).cloned()
    }

    pub fn photographer(&self, id: UserId) -> Option<String> {
        self.photographers.get(&id).cloned()
    }
}

fn text<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name).and_then(|v| v.as_s().ok()).map(String::as_str)
}

fn flag(item: &Item, name: &str) -> bool {
    matches!(item.get(name), Some(AttributeValue::Bool(true)))
}

/// Whose item it is and, if it may be shown, the name it gives.
fn name_in(item: &Item) -> Option<(UserId, &'static str, String)> {
    let id: UserId = text(item, keys::PK)?.strip_prefix(&keys::user(""))?.parse().ok()?;
    match text(item, keys::SK)? {
        keys::USER_SK if flag(item, "active") => Some((id, keys::USER_SK, text(item, "name")?.to_string())),
        keys::PHOTOGRAPHER_SK if flag(item, "listed") => {
            let profile = item.get("profile")?.as_m().ok()?;
            Some((id, keys::PHOTOGRAPHER_SK, text(profile, "display_name")?.to_string()))
        }
        _ => None,
    }
}

impl NameReader for DynamoStore {
    async fn party_names(&self, clients: &[UserId], photographers: &[UserId]) -> Result<PartyNames, StoreError> {
        let wanted: BTreeSet<(UserId, &str)> = clients
            .iter()
            .map(|c| (*c, keys::USER_SK))
            .chain(photographers.iter().map(|p| (*p, keys::PHOTOGRAPHER_SK)))
            .collect();
        let mut out = PartyNames::default();
        if wanted.is_empty() {
            return Ok(out);
        }
        let items = wanted.into_iter().map(|(id, sk)| key(keys::user(id), sk)).collect();
        for item in self.batch_get_projected(items, Some(&NAMES)).await? {
            match name_in(&item) {
                Some((id, keys::USER_SK, name)) => out.clients.insert(id, name),
                Some((id, _, name)) => out.photographers.insert(id, name),
                None => None,
            };
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.into())
    }

    fn item(sk: &str, attrs: &[(&str, AttributeValue)]) -> (UserId, Item) {
        let id = UserId::new();
        let mut i = key(keys::user(id), sk);
        i.extend(attrs.iter().map(|(k, v)| (k.to_string(), v.clone())));
        (id, i)
    }

    #[test]
    fn an_active_account_gives_its_name_and_a_deactivated_one_none() {
        let (id, active) = item(keys::USER_SK, &[("name", s("Priya Sharma")), ("active", AttributeValue::Bool(true))]);
        assert_eq!(name_in(&active), Some((id, keys::USER_SK, "Priya Sharma".into())));
        let (_, gone) = item(keys::USER_SK, &[("name", s("Priya Sharma")), ("active", AttributeValue::Bool(false))]);
        assert_eq!(name_in(&gone), None);
        let (_, unflagged) = item(keys::USER_SK, &[("name", s("Priya Sharma"))]);
        assert_eq!(name_in(&unflagged), None, "only an account known to be active is named");
    }

    #[test]
    fn a_listed_profile_gives_its_display_name_and_an_unlisted_one_none() {
        let profile = AttributeValue::M(HashMap::from([("display_name".to_string(), s("Asha Lens"))]));
        let (id, listed) =
            item(keys::PHOTOGRAPHER_SK, &[("profile", profile.clone()), ("listed", AttributeValue::Bool(true))]);
        assert_eq!(name_in(&listed), Some((id, keys::PHOTOGRAPHER_SK, "Asha Lens".into())));
        let (_, unlisted) =
            item(keys::PHOTOGRAPHER_SK, &[("profile", profile), ("listed", AttributeValue::Bool(false))]);
        assert_eq!(name_in(&unlisted), None);
    }
}
